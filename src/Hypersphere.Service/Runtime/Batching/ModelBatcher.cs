using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Runtime.Models;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Service.Runtime.Batching;

/// <summary>The batching settings of one <see cref="ModelBatcher"/>.</summary>
/// <param name="MaxBatch">Most images in one run.</param>
/// <param name="MaxDelay">Longest a batch waits for more requests after its first request was queued.</param>
/// <param name="MaxQueue">Most images waiting; a request that would pass it is refused (429).</param>
/// <param name="ConcurrentRuns">Most batches of the model running at once.</param>
internal sealed record BatchLimits(int MaxBatch, TimeSpan MaxDelay, int MaxQueue, int ConcurrentRuns = 1);

/// <summary>
/// One model version's queue and its consumer loop. Requests are queued whole; the loop takes images off the
/// queue into a batch until it holds <see cref="BatchLimits.MaxBatch"/> images or
/// <see cref="BatchLimits.MaxDelay"/> has passed since the batch's first request was queued, runs it, and hands
/// each request its rows. The queue is bounded in images (<see cref="BatchLimits.MaxQueue"/>, counted here
/// rather than by the channel, whose bound counts requests). Up to <see cref="BatchLimits.ConcurrentRuns"/> batches
/// run at once: the loop forms the next batch only when a run slot is free, so under load each batch takes what
/// queued up meanwhile. <see cref="Complete"/> stops taking requests; the loop then runs what is queued, waits for
/// the runs in flight and ends.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The run slots' SemaphoreSlim holds no kernel handle: AvailableWaitHandle is never read.")]
internal sealed partial class ModelBatcher
{
    private readonly Channel<QueuedRequest> _queue = Channel.CreateUnbounded<QueuedRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LoadedModel _model;
    private readonly BatchRunner _run;
    private readonly BatchLimits _limits;
    private readonly DrainRate _rate;
    private readonly DrainRate _serviceRate;
    private readonly ServiceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RunHealth _health;
    private readonly LogThrottle _throttle;
    private readonly SemaphoreSlim _slots;
    private readonly string _label;
    private int _queued;

    public ModelBatcher(
        LoadedModel model, BatchRunner run, BatchLimits limits, DrainRate serviceRate, ServiceMetrics metrics, RunHealth health, LogThrottle throttle, ILogger logger)
    {
        _health = health;
        _throttle = throttle;
        _model = model;
        _run = run;
        _limits = limits;
        _rate = new DrainRate();
        _serviceRate = serviceRate;
        _metrics = metrics;
        _logger = logger;
        _slots = new SemaphoreSlim(limits.ConcurrentRuns, limits.ConcurrentRuns);
        _label = model.Id.ToString();
        Completion = Task.Run(ConsumeAsync);
    }

    /// <summary>Images waiting for a batch.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Completes when the loop has ended, after <see cref="Complete"/> and the queue's last batch.</summary>
    public Task Completion { get; }

    /// <summary>
    /// Queues a request's images and completes with their embeddings. A full queue is
    /// <see cref="ErrorKind.Overloaded"/> with the seconds it needs to drain; a completed batcher (the model was
    /// unloaded) is <see cref="ErrorKind.NotReady"/>.
    /// </summary>
    public Task<float[]> EnqueueAsync(ReadOnlyMemory<float> pixels, int count, CancellationToken cancellationToken)
    {
        Reserve(count);
        var request = new QueuedRequest(pixels, count, _model.Card.EmbeddingDim, cancellationToken);
        if (!_queue.Writer.TryWrite(request))
        {
            Release(count);
            throw Unloaded(_model);
        }

        return request.Completion;
    }

    /// <summary>Takes no more requests; the loop runs the queued ones and ends (<see cref="Completion"/>).</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The failure a request gets when its model was unloaded (a reload removed or replaced it) before its images were queued.</summary>
    public static HypersphereException Unloaded(LoadedModel model) =>
        new(ErrorKind.NotReady, $"model {model.Id} was unloaded by a reload while this request was being read; send it again");

    private void Reserve(int count)
    {
        while (true)
        {
            var queued = Volatile.Read(ref _queued);
            // An empty queue takes any request, so one larger than MaxQueue is not refused forever.
            if (queued > 0 && queued + count > _limits.MaxQueue)
            {
                _metrics.Rejected.WithLabels("queue_full").Inc();
                throw new OverloadedException(
                    $"the queue of model {_model.Id} holds {queued} images and takes at most {_limits.MaxQueue} (Hypersphere:MaxQueue); {count} more do not fit, retry after the Retry-After seconds",
                    _rate.SecondsToDrain(queued + count));
            }

            if (Interlocked.CompareExchange(ref _queued, queued + count, queued) == queued)
            {
                _metrics.QueueDepth.WithLabels(_label).Set(queued + count);
                return;
            }
        }
    }

    private void Release(int count) => _metrics.QueueDepth.WithLabels(_label).Set(Interlocked.Add(ref _queued, -count));

    private async Task ConsumeAsync()
    {
        var reader = _queue.Reader;
        var running = new List<Task>();
        QueuedRequest? head = null; // a request whose images did not all fit in the last batch
        while (head is not null || await reader.WaitToReadAsync())
        {
            await _slots.WaitAsync();
            var batch = new List<(QueuedRequest Request, int First, int Rows)>();
            var rows = 0;
            var deadline = long.MaxValue;
            while (rows < _limits.MaxBatch)
            {
                if (head is { IsAbandoned: true })
                {
                    Release(head.Count - head.Next);
                    head = null;
                }

                if (head is null || head.Next == head.Count)
                {
                    if (reader.TryRead(out head))
                    {
                        continue; // checked for abandonment first
                    }

                    if (rows == 0 || !await WaitForMoreAsync(reader, deadline))
                    {
                        break;
                    }

                    continue;
                }

                if (rows == 0)
                {
                    deadline = head.EnqueuedAt + (long)(_limits.MaxDelay.TotalSeconds * Stopwatch.Frequency);
                }

                var take = Math.Min(_limits.MaxBatch - rows, head.Count - head.Next);
                batch.Add((head, head.Next, take));
                head.Next += take;
                rows += take;
                Release(take);
            }

            if (head is not null && head.Next == head.Count)
            {
                head = null;
            }

            if (rows == 0)
            {
                _slots.Release();
                continue;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(Task.Run(() => RunAndRelease(batch, rows)));
        }

        await Task.WhenAll(running);
    }

    private void RunAndRelease(List<(QueuedRequest Request, int First, int Rows)> batch, int rows)
    {
        try
        {
            Run(batch, rows);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Waits until another request is queued (true) or the deadline passes or the queue is completed (false).</summary>
    private static async ValueTask<bool> WaitForMoreAsync(ChannelReader<QueuedRequest> reader, long deadline)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        using var timer = new CancellationTokenSource(remaining);
        try
        {
            return await reader.WaitToReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Run(List<(QueuedRequest Request, int First, int Rows)> batch, int rows)
    {
        var size = _model.Encoder.ImageSize;
        var dim = _model.Card.EmbeddingDim;
        var pixels = ArrayPool<float>.Shared.Rent(rows * size);
        try
        {
            var at = 0;
            foreach (var (request, first, count) in batch)
            {
                request.Pixels.Span.Slice(first * size, count * size).CopyTo(pixels.AsSpan(at * size));
                at += count;
            }

            var start = Stopwatch.GetTimestamp();
            var embeddings = _run(_model, pixels.AsSpan(0, rows * size), rows);
            _health.Succeeded(_label);
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            _rate.Record(rows, seconds);
            _serviceRate.Record(rows, seconds);
            _metrics.BatchSize.WithLabels(_label).Observe(rows);
            _metrics.InferenceSeconds.WithLabels(_label).Observe(seconds);

            at = 0;
            foreach (var (request, first, count) in batch)
            {
                request.Accept(embeddings.AsSpan(at * dim, count * dim), first, count);
                at += count;
            }
        }
        catch (Exception e)
        {
            // The run failed (the device, a model that breaks on this input, or one unloaded mid-way): every request
            // in the batch gets the error; the loop goes on with the next batch.
            var failure = e is OnnxRuntimeException ort ? RunFailures.Classify(ort, _label, _model.Provider.Name, rows) : e;
            if (failure is InferenceFailureException device)
            {
                RecordDeviceFailure(device, rows);
            }
            else if (failure is not HypersphereException)
            {
                LogRunFailed(_logger, _label, rows, e);
            }

            foreach (var (request, _, _) in batch)
            {
                request.Fail(failure);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
        }
    }

    private void RecordDeviceFailure(InferenceFailureException failure, int rows)
    {
        _health.Failed(_label, failure);
        _metrics.InferenceFailures.WithLabels(_label, KindLabel(failure.Fault)).Inc();
        // A device that fails fails every batch: one entry per model and kind a second, with the count held back.
        if (_throttle.TryEnter(HashCode.Combine(_label, failure.Fault), out var suppressed))
        {
            LogDeviceFailed(_logger, _label, rows, KindLabel(failure.Fault), failure.Message, suppressed, failure.InnerException ?? failure);
        }
    }

    /// <summary>The <c>kind</c> label of <c>hypersphere_inference_failures_total</c>.</summary>
    public static string KindLabel(DeviceFault fault) => fault switch
    {
        DeviceFault.OutOfMemory => "out_of_memory",
        DeviceFault.DeviceLost => "device_lost",
        _ => "runtime",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Rows} images on {Model} failed on the device ({Kind}): {Detail} ({Suppressed} more such failures since the last entry were not logged)")]
    private static partial void LogDeviceFailed(ILogger logger, string model, int rows, string kind, string detail, long suppressed, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Rows} images on {Model} failed")]
    private static partial void LogRunFailed(ILogger logger, string model, int rows, Exception exception);
}
