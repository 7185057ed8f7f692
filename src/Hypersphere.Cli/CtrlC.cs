namespace Hypersphere.Cli;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) into a cancellation a verb observes, so it stops at its next check and its
/// <c>finally</c> blocks run (a report's staging folder is removed; a mapped file is unmapped); a second Ctrl-C ends
/// the process at once, as usual. <see cref="CommandErrors"/> maps the cancellation to exit code 130.
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    private CtrlC() => Console.CancelKeyPress += OnCancel;

    /// <summary>Cancelled by the first Ctrl-C.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Starts listening until disposed.</summary>
    public static CtrlC Listen() => new();

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }

        e.Cancel = true;
        Console.Error.WriteLine("cancelling… (Ctrl-C again to stop at once)");
        _source.Cancel();
    }
}
