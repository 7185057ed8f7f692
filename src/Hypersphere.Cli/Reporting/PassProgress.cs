using Spectre.Console;

namespace Hypersphere.Cli.Reporting;

/// <summary>
/// A Spectre.Console progress bar on stderr for a long pass that reports its fraction done (the exact uniformity
/// pass): shown when stderr is a terminal, or always when asked (<c>--progress</c>), then plain lines; stdout
/// is never touched, so a command's JSON stays what it was.
/// </summary>
internal static class PassProgress
{
    /// <summary>Runs <paramref name="work"/> with an <see cref="IProgress{T}"/> of fractions in [0, 1] under a bar titled <paramref name="what"/>, or without one.</summary>
    public static T Run<T>(string what, bool forced, Func<IProgress<double>?, T> work)
    {
        if (Console.IsErrorRedirected && !forced)
        {
            return work(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(what), maxValue: 1);
                var result = work(new Fraction(task));
                task.Value = 1;
                return result;
            });
    }

    /// <summary>Sets the bar's value; reports come from worker threads, and Spectre's task is thread-safe.</summary>
    private sealed class Fraction(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = Math.Max(task.Value, value);
    }
}
