using System.Collections.Concurrent;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Serving;

/// <summary>
/// The served models: a hosted service that scans <see cref="HypersphereOptions.ModelsPath"/> when the host
/// starts and loads the latest version of every model in the background (one long-lived
/// <see cref="OnnxEncoder"/> per version; loading includes the card and sha256 checks and a warm-up run).
/// Older versions load on first use and then stay. A version that fails to load is logged and listed in
/// <see cref="Failures"/>; the others keep serving. <see cref="ReloadAsync"/> rescans and loads what is new.
/// </summary>
public sealed partial class ModelRegistry(IOptions<HypersphereOptions> options, ILogger<ModelRegistry> logger) : IHostedService, IDisposable
{
    private readonly HypersphereOptions _options = options.Value;
    private readonly ModelRepository _repository = new(options.Value.ModelsPath);
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _loads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelLoadFailure> _failures = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<ModelVersions> _catalog = [];
    private string? _scanError;
    private Task _initialLoad = Task.CompletedTask;
    private int _disposed;

    /// <summary>The models root, as a full path.</summary>
    public string Root => _repository.Root;

    /// <summary>Every model and its versions as of the last scan (names in ordinal order, versions ascending).</summary>
    public IReadOnlyList<ModelVersions> Catalog => Volatile.Read(ref _catalog);

    /// <summary>Completes when the start-up scan has loaded (or failed to load) the latest version of every model.</summary>
    public Task Initialization => _initialLoad;

    /// <summary>Ready once the start-up loading has finished and at least one model serves.</summary>
    public bool IsReady => _initialLoad.IsCompleted && Loaded.Count > 0;

    /// <summary>The loaded, warmed-up versions, by id.</summary>
    public IReadOnlyList<LoadedModel> Loaded => _loads.Values
        .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
        .Select(l => l.Value.Result)
        .OrderBy(m => m.Id, StringComparer.Ordinal)
        .ToArray();

    /// <summary>Versions whose last load failed, and why.</summary>
    public IReadOnlyList<ModelLoadFailure> Failures => _failures.Values.OrderBy(f => f.Model, StringComparer.Ordinal).ToArray();

    /// <summary>Why the last scan failed (the root vanished, say), or null.</summary>
    public string? ScanError => Volatile.Read(ref _scanError);

    /// <summary>The state of <c>name@version</c>: <c>loaded</c>, <c>loading</c>, <c>failed</c> or <c>not_loaded</c>.</summary>
    public string StateOf(string id)
    {
        if (_loads.TryGetValue(id, out var load) && load.IsValueCreated)
        {
            return load.Value.IsCompletedSuccessfully ? "loaded" : load.Value.IsCompleted ? "failed" : "loading";
        }

        return _failures.ContainsKey(id) ? "failed" : "not_loaded";
    }

    /// <summary>The model a request's <c>model</c> field names, loading it if needed (see the class summary).</summary>
    /// <param name="model"><c>name</c>, <c>name@version</c>, or null for the default model.</param>
    /// <param name="cancellationToken">The request's token.</param>
    public async Task<LoadedModel> ResolveAsync(string? model, CancellationToken cancellationToken)
    {
        await _firstScan.Task.WaitAsync(cancellationToken);
        var catalog = Catalog;
        var reference = model is null ? DefaultReference(catalog) : ModelReference.Parse(model);
        var entry = catalog.FirstOrDefault(m => m.Name == reference.Name)
            ?? throw new HypersphereException(ErrorKind.NotFound, $"model '{reference.Name}' is not served here; the models are [{string.Join(", ", catalog.Select(m => m.Name))}]");
        var version = reference.Version ?? entry.Latest;
        if (!entry.Versions.Contains(version, StringComparer.Ordinal))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"model '{entry.Name}' has no version '{version}'; its versions are [{string.Join(", ", entry.Versions)}]");
        }

        try
        {
            return await LoadAsync(entry.Name, version).WaitAsync(cancellationToken);
        }
        catch (HypersphereException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The request is fine; this server cannot serve that model now.
            throw new HypersphereException(ErrorKind.NotReady, $"model {entry.Name}@{version} cannot be served: {e.Message}", e);
        }
    }

    /// <summary>
    /// Rescans the root and loads the latest version of every model that is not loaded yet (including
    /// versions whose earlier load failed). Loaded versions stay as they are; nothing is unloaded.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            var catalog = Scan();
            foreach (var model in catalog)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await LoadAsync(model.Name, model.Latest);
                }
                catch (HypersphereException)
                {
                    // Logged and listed in Failures by LoadAsync; the other models still load.
                }
            }
        }
        finally
        {
            _scanGate.Release();
        }
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(logger, Root, _options.ExecutionProvider);
        _initialLoad = Task.Run(() => ReloadAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _initialLoad.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping mid-load: whatever loaded is disposed with the registry.
        }
    }

    /// <summary>Disposes every session; each waits for its runs in flight.</summary>
    public void Dispose()
    {
        // Registered both as itself and as a hosted service, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var load in _loads.Values)
        {
            if (load.IsValueCreated && load.Value.IsCompletedSuccessfully)
            {
                load.Value.Result.Encoder.Dispose();
            }
        }

        _loads.Clear();
        // _stopping and _scanGate are left undisposed on purpose: the host may still call StopAsync after the
        // container disposed the registry (WebApplication.Run disposes as it returns), and neither holds a
        // wait handle or timer that needs releasing.
    }

    private IReadOnlyList<ModelVersions> Scan()
    {
        IReadOnlyList<ModelVersions> catalog;
        try
        {
            catalog = _repository.Scan();
            Volatile.Write(ref _scanError, null);
            if (catalog.Count == 0)
            {
                LogEmpty(logger, Root);
            }
        }
        catch (Exception e) when (e is HypersphereException or IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _scanError, $"the models root '{Root}' cannot be read: {e.Message}");
            LogScanFailed(logger, Root, e.Message);
            catalog = [];
        }

        Volatile.Write(ref _catalog, catalog);
        _firstScan.TrySetResult();
        return catalog;
    }

    private async Task<LoadedModel> LoadAsync(string name, string version)
    {
        var id = $"{name}@{version}";
        var load = _loads.GetOrAdd(id, _ => new Lazy<Task<LoadedModel>>(() => Task.Run(() => Load(name, version))));
        try
        {
            var model = await load.Value;
            _failures.TryRemove(id, out _);
            return model;
        }
        catch (HypersphereException e)
        {
            // Forget the failed attempt so that a later request or reload tries again.
            if (_loads.TryRemove(KeyValuePair.Create(id, load)))
            {
                _failures[id] = new ModelLoadFailure(id, e.Message);
                LogLoadFailed(logger, id, e.Message);
            }

            throw;
        }
    }

    private LoadedModel Load(string name, string version)
    {
        var id = $"{name}@{version}";
        try
        {
            var folder = ModelFolder.Open(Path.Combine(Root, name, version));
            if (folder.Card.Name != name || folder.Card.Version != version)
            {
                throw new HypersphereException(ErrorKind.Corrupt, $"the card in '{folder.Directory}' says {folder.Id}, but the folder is {id}");
            }

            var encoderOptions = new EncoderOptions(ExecutionProviders.Parse(_options.ExecutionProvider), _options.CudaDeviceId, _options.IntraOpThreads);
            var encoder = OnnxEncoder.Load(folder, encoderOptions);
            var model = new LoadedModel(encoder, new ImagePreprocessor(folder.Card.Input, _options.MaxImagePixels));
            LogLoaded(logger, id, encoder.Provider.Name, folder.Card.EmbeddingDim);
            if (encoder.Provider.FallbackReason is { } reason)
            {
                LogFallback(logger, id, reason);
            }

            return model;
        }
        catch (Exception e) when (e is not HypersphereException)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model {id} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>The <c>name@version</c> a request without <c>model</c> gets; <see cref="ErrorKind.NotReady"/> when nothing is served.</summary>
    public string DefaultModelId()
    {
        var catalog = Catalog;
        var reference = DefaultReference(catalog);
        var version = reference.Version ?? catalog.FirstOrDefault(m => m.Name == reference.Name)?.Latest;
        return version is null ? reference.Name : $"{reference.Name}@{version}";
    }

    private ModelReference DefaultReference(IReadOnlyList<ModelVersions> catalog)
    {
        if (!string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return ModelReference.Parse(_options.DefaultModel, "Hypersphere:DefaultModel");
        }

        return catalog.Count > 0
            ? new ModelReference(catalog[0].Name, null)
            : throw new HypersphereException(ErrorKind.NotReady, ScanError ?? $"no model is served: the models root '{Root}' holds no <name>/<version>/{ModelCard.FileName}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading models from {Root} (execution provider {Provider})")]
    private static partial void LogStarting(ILogger logger, string root, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The models root {Root} holds no model (<name>/<version>/model.json)")]
    private static partial void LogEmpty(ILogger logger, string root);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot scan the models root {Root}: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string root, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} on {Provider} (dimension {Dim}), warmed up")]
    private static partial void LogLoaded(ILogger logger, string model, string provider, int dim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model} runs on the CPU: {Reason}")]
    private static partial void LogFallback(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load {Model}: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string error);
}
