using System.Diagnostics;
using Spectre.Console;

namespace Hypersphere.Cli.Reporting;

/// <summary>
/// Shows the step a long command is in as a Spectre.Console spinner on stderr, only when stderr is a terminal:
/// stdout stays the command's result, and redirected output carries no animation.
/// </summary>
internal sealed class StepProgress
{
    private readonly IAnsiConsole? _console;

    private StepProgress(IAnsiConsole? console) => _console = console;

    /// <summary>Progress on stderr when it is a terminal, else silent.</summary>
    public static StepProgress ForStandardError() => new(
        Console.IsErrorRedirected ? null : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    /// <summary>Runs <paramref name="step"/> under a spinner that says <paramref name="what"/>, then a grey line with its time.</summary>
    public T Run<T>(string what, Func<T> step)
    {
        if (_console is null)
        {
            return step();
        }

        var clock = Stopwatch.StartNew();
        var result = _console.Status().Spinner(Spinner.Known.Dots).Start(Markup.Escape(what) + "…", _ => step());
        _console.MarkupLineInterpolated($"[grey]{what}: {clock.Elapsed.TotalSeconds:F2} s[/]");
        return result;
    }
}
