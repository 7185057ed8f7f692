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
                var bar = new Fraction(context, Markup.Escape(what));
                var result = work(bar);
                bar.Finish();
                return result;
            });
    }

    /// <summary>
    /// The bar, added at the first report so a run without the pass (a sampled estimate) shows none; reports come from
    /// worker threads.
    /// </summary>
    private sealed class Fraction(ProgressContext context, string what) : IProgress<double>
    {
        private readonly Lock _lock = new();
        private ProgressTask? _task;

        public void Report(double value)
        {
            lock (_lock)
            {
                _task ??= context.AddTask(what, maxValue: 1);
                _task.Value = Math.Max(_task.Value, value);
            }
        }

        public void Finish()
        {
            lock (_lock)
            {
                _task?.Value = 1;
            }
        }
    }
}
