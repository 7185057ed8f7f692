using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Jobs;

/// <summary>
/// Runs quality jobs one at a time in the background, on the uploaded file memory-mapped (Core streams it: memory stays
/// O(tile·d) beyond the mapping). On start it picks up every job a stopped or killed service left queued or running: they
/// run again from the start (a third interrupted attempt fails the job with the reason). A job cancelled while running
/// stops within its current pass.
/// </summary>
internal sealed partial class QualityJobRunner(QualityJobStore store, IOptions<HypersphereOptions> options, TimeProvider time, ILogger<QualityJobRunner> logger)
    : BackgroundService
{
    /// <summary>Attempts a job gets before a restart mid-job fails it.</summary>
    public const int MaxAttempts = 3;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    /// <summary>Queues a recorded job.</summary>
    public void Enqueue(string id) => _queue.Writer.TryWrite(id);

    /// <summary>Stops a running job (its record says cancelled when it stops); false when it is not running here.</summary>
    public bool CancelRunning(string id)
    {
        if (!_running.TryGetValue(id, out var source))
        {
            return false;
        }

        source.Cancel();
        return true;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Runs in the host's start, before the server takes requests: no upload is in progress yet.
        store.RemoveUnfinishedUploads();
        foreach (var job in store.All().Where(j => !j.Ended))
        {
            if (job.Attempts >= MaxAttempts)
            {
                Finish(job.Id, QualityJobStore.Failed, $"the service stopped during each of the job's {job.Attempts} attempts; submit it again");
                continue;
            }

            LogResumed(logger, job.Id, job.State);
            Enqueue(job.Id);
        }

        await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            // A job is long CPU work: run it off the thread pool's request threads.
            await Task.Factory.StartNew(() => Run(id, stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void Run(string id, CancellationToken stopping)
    {
        var job = store.Update(id, j => j.State == QualityJobStore.Queued || j.State == QualityJobStore.Running
            ? j with { State = QualityJobStore.Running, Started = time.GetUtcNow(), Attempts = j.Attempts + 1 }
            : j);
        if (job is not { State: QualityJobStore.Running })
        {
            return; // cancelled while queued, or gone
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[id] = cancel;
        try
        {
            var settings = job.Settings;
            var sampling = new SamplingOptions(settings.SamplePairs, settings.Error, settings.Seed, settings.Exact);
            using var rows = MappedEmbeddings.TryOpen(store.EmbeddingsPath(id), settings.Normalize, "embeddings", cancel.Token)
                ?? throw HypersphereException.Invalid("the embeddings could not be mapped");
            var progress = new Progress<double>(p => store.SetProgress(id, p));
            var report = QualityAnalyzer.Analyze(
                rows, options: new QualityOptions(T: settings.T, Sampling: sampling, Progress: progress, Cancellation: cancel.Token, MaxDegreeOfParallelism: options.Value.QualityJobThreads));
            store.WriteResult(id, JsonSerializer.SerializeToUtf8Bytes(report, QualityJson.Options));
            Finish(id, QualityJobStore.Done, null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The service is stopping: the record still says running, so the next start runs the job again.
        }
        catch (OperationCanceledException)
        {
            Finish(id, QualityJobStore.Cancelled, "cancelled by DELETE while running");
        }
        catch (HypersphereException e)
        {
            Finish(id, QualityJobStore.Failed, PublicText.Scrub(e.Message, store.Root));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, id, e);
            Finish(id, QualityJobStore.Failed, "the job's files could not be read or written on the server");
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    private void Finish(string id, string state, string? error)
    {
        store.Update(id, j => j with { State = state, Finished = time.GetUtcNow(), Error = error });
        store.DropEmbeddings(id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quality job {Id} was {State} when the service stopped; it runs again")]
    private static partial void LogResumed(ILogger logger, string id, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Quality job {Id} failed on the server's files")]
    private static partial void LogFailed(ILogger logger, string id, Exception exception);
}
