using System.Runtime.CompilerServices;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Polly;
using Polly.Retry;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Loads one version folder into a checked, warmed-up session (card, size and sha256 checks, interface check,
/// warm-up run). Any failure (a mounted volume still syncing, a file half-copied, a device briefly busy) is retried
/// with exponential backoff and jitter (<see cref="HypersphereOptions.ModelLoadRetries"/>,
/// <see cref="HypersphereOptions.ModelLoadRetryDelayMs"/>); each failed attempt is counted
/// (<c>hypersphere_model_load_failures_total</c>) and reported to the caller's <c>onFailure</c> (which lists it in
/// <c>/healthz/ready</c>); the last one is a <see cref="HypersphereException"/> naming the version.
/// </summary>
internal sealed partial class ModelLoader(HypersphereOptions options, ILogger logger, EncoderLoader encoders, ServiceMetrics metrics)
{
    /// <summary>Attempts a load makes before it fails: the first and its retries.</summary>
    public int Attempts => options.ModelLoadRetries + 1;

    /// <summary>Loads <c>root/name/version</c>; <paramref name="onFailure"/> hears of each failed attempt and its number (from 1).</summary>
    public async Task<LoadedModel> LoadAsync(string root, ModelId id, CancellationToken cancellationToken, Action<Exception, int>? onFailure = null)
    {
        var state = (Self: this, Root: root, Id: id, OnFailure: onFailure, Attempts: new StrongBox<int>(0));
        try
        {
            return await Retry(options, logger, id.ToString()).ExecuteAsync(
                static (state, _) => ValueTask.FromResult(state.Self.Attempt(state.Root, state.Id, state.Attempts, state.OnFailure)),
                state,
                cancellationToken);
        }
        catch (Exception e) when (e is not (HypersphereException or OperationCanceledException))
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model {id} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>The retry on any failure but cancellation: exponential backoff with jitter, each retry logged.</summary>
    public static ResiliencePipeline Retry(HypersphereOptions options, ILogger logger, string model)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelLoadRetries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = options.ModelLoadRetries,
                Delay = TimeSpan.FromMilliseconds(options.ModelLoadRetryDelayMs),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = arguments =>
                {
                    LogRetry(logger, model, arguments.AttemptNumber + 1, options.ModelLoadRetries, arguments.RetryDelay.TotalMilliseconds, arguments.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private LoadedModel Attempt(string root, ModelId id, StrongBox<int> attempts, Action<Exception, int>? onFailure)
    {
        try
        {
            return LoadOnce(root, id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            attempts.Value++;
            metrics.ModelLoadFailures.WithLabels(id.ToString()).Inc();
            onFailure?.Invoke(e, attempts.Value);
            throw;
        }
    }

    private LoadedModel LoadOnce(string root, ModelId id)
    {
        var folder = ModelFolder.Open(id.FolderUnder(root));
        if (folder.Card.Name != id.Name || folder.Card.Version != id.Version)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"the card of {id} says {folder.Id}, but the folder is {id}");
        }

        // Warm-up sizes are those of a model on CUDA: a CPU session warms one image whatever they say.
        var encoderOptions = new EncoderOptions(
            ExecutionProviders.Parse(options.ExecutionProvider), options.CudaDeviceId, options.EffectiveIntraOpThreads, options.IntraOpSpinning, "Hypersphere:ExecutionProvider")
        {
            Cuda = options.CudaProvider,
            WarmUpBatchSizes = EncoderOptions.EveryBatchUpTo(options.EffectiveMaxBatchSize(ExecutionProviders.Cuda)),
        };
        var encoder = encoders(folder, encoderOptions);
        LogLoaded(logger, id.ToString(), encoder.Provider.Name, folder.Card.EmbeddingDim);
        if (encoder.Provider.FallbackReason is { } reason)
        {
            LogFallback(logger, id.ToString(), reason);
        }

        return new LoadedModel(id, encoder, new ImagePreprocessor(folder.Card.Input, options.MaxImagePixels));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Model} failed (retry {Attempt} of {Retries} in {DelayMs:F0} ms): {Error}")]
    private static partial void LogRetry(ILogger logger, string model, int attempt, int retries, double delayMs, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} on {Provider} (dimension {Dim}), warmed up")]
    private static partial void LogLoaded(ILogger logger, string model, string provider, int dim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model} runs on the CPU: {Reason}")]
    private static partial void LogFallback(ILogger logger, string model, string reason);
}

/// <summary>
/// What a folder looks like on disk: its files' relative paths, sizes and modification times. A reload compares
/// version folders' stamps to find those that changed since they were loaded, and the <c>poll</c> watcher the whole
/// tree's to notice a change, both without reading or hashing the files.
/// </summary>
/// <param name="Files">The listing, one <c>path:size:ticks</c> per file, or why it could not be read.</param>
internal readonly record struct FolderStamp(string Files)
{
    /// <summary>The stamp of <paramref name="directory"/>'s files, or of every file below it when <paramref name="recursive"/>.</summary>
    public static FolderStamp Read(string directory, bool recursive = false)
    {
        try
        {
            var files = new DirectoryInfo(directory).EnumerateFiles("*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                .Select(f => (Path: Path.GetRelativePath(directory, f.FullName), f.Length, f.LastWriteTimeUtc.Ticks))
                .OrderBy(f => f.Path, StringComparer.Ordinal)
                .Select(f => $"{f.Path}:{f.Length}:{f.Ticks}");
            return new FolderStamp(string.Join('|', files));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FolderStamp($"unreadable: {e.Message}");
        }
    }
}
