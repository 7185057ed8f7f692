using System.Diagnostics;

namespace Hypersphere.Service.Runtime.Batching;

/// <summary>
/// One request's images waiting in a <see cref="ModelBatcher"/>. Its rows may be spread over several batches
/// (a request larger than a batch, or one that fills the end of a batch); it completes when the last of them
/// has run. Cancelling the request's token (client gone, timeout) abandons it: rows not yet taken are skipped.
/// </summary>
internal sealed class QueuedRequest
{
    private readonly TaskCompletionSource<float[]> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly float[] _result;
    private readonly int _dim;
    private readonly CancellationTokenRegistration _cancellation;
    private int _pending;

    public QueuedRequest(ReadOnlyMemory<float> pixels, int count, int dim, CancellationToken cancellationToken)
    {
        Pixels = pixels;
        Count = count;
        _dim = dim;
        _pending = count;
        _result = new float[checked(count * dim)];
        EnqueuedAt = Stopwatch.GetTimestamp();
        _cancellation = cancellationToken.Register(static (state, token) => ((QueuedRequest)state!).Abandon(token), this);
    }

    /// <summary>count·C·H·W preprocessed floats.</summary>
    public ReadOnlyMemory<float> Pixels { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>When it was queued (<see cref="Stopwatch"/> ticks): a batch waits for company at most MaxBatchDelayMs after its first request was queued.</summary>
    public long EnqueuedAt { get; }

    /// <summary>The next image a batch takes; only the batcher's consumer loop reads and moves it.</summary>
    public int Next { get; set; }

    /// <summary>Completes with count·D floats, fails with the run's error, or is cancelled.</summary>
    public Task<float[]> Completion => _done.Task;

    /// <summary>Answered already (cancelled, or failed in an earlier batch): its remaining images need not run.</summary>
    public bool IsAbandoned => _done.Task.IsCompleted;

    /// <summary>Copies <paramref name="rows"/> embeddings, the request's images from <paramref name="first"/> on, out of a batch's output.</summary>
    public void Accept(ReadOnlySpan<float> embeddings, int first, int rows)
    {
        embeddings.CopyTo(_result.AsSpan(first * _dim, rows * _dim));
        if (Interlocked.Add(ref _pending, -rows) == 0)
        {
            _cancellation.Dispose();
            _done.TrySetResult(_result);
        }
    }

    /// <summary>Fails the request with the error of a batch that held some of its images.</summary>
    public void Fail(Exception exception)
    {
        _cancellation.Dispose();
        _done.TrySetException(exception);
    }

    private void Abandon(CancellationToken token) => _done.TrySetCanceled(token);
}
