using System.Collections.Concurrent;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Serving;

/// <summary>
/// The served models: a hosted service that scans <see cref="HypersphereOptions.ModelsPath"/> when the host
/// starts and loads a version of every model in the background (one long-lived <see cref="OnnxEncoder"/> per
/// version; loading includes the card and sha256 checks and a warm-up run): the latest, or when it cannot be
/// loaded the newest that can. A request naming only the model gets that serving version; older versions load
/// on first use and then stay. A version that fails to load is logged and listed in <see cref="Failures"/>
/// until the next reload; the others keep serving. <see cref="ReloadAsync"/> (the folder watcher,
/// <c>POST /admin/reload</c>) loads new versions, reloads changed ones and unloads removed ones.
/// </summary>
public sealed partial class ModelRegistry : IHostedService, IDisposable
{
    private readonly HypersphereOptions _options;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly ModelRepository _repository;
    private readonly ModelLoader _loader;
    private readonly IModelDrain[] _drains;
    private readonly ConcurrentDictionary<string, Lazy<Task<LoadedModel>>> _loads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FolderStamp> _stamps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelLoadFailure> _failures = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<ModelVersions> _catalog = [];
    private string? _scanError;
    private Task _initialLoad = Task.CompletedTask;
    private int _disposed;

    /// <summary>Creates the registry; nothing is read before the host starts it.</summary>
    /// <param name="options">The settings (models root, provider, retries).</param>
    /// <param name="logger">Where loads, failures and reloads are logged.</param>
    /// <param name="drains">Work to finish before a version's session is disposed (the batch queues).</param>
    public ModelRegistry(IOptions<HypersphereOptions> options, ILogger<ModelRegistry> logger, IEnumerable<IModelDrain> drains)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _repository = new ModelRepository(_options.ModelsPath);
        _loader = new ModelLoader(_options, logger);
        _drains = drains.ToArray();
    }

    /// <summary>The models root, as a full path.</summary>
    public string Root => _repository.Root;

    /// <summary>Every model and its versions as of the last scan (names in ordinal order, versions ascending).</summary>
    public IReadOnlyList<ModelVersions> Catalog => Volatile.Read(ref _catalog);

    /// <summary>Completes when the start-up scan has loaded (or failed to load) a version of every model.</summary>
    public Task Initialization => _initialLoad;

    /// <summary>Ready once the start-up loading has finished and at least one model serves.</summary>
    public bool IsReady => _initialLoad.IsCompleted && Loaded.Count > 0;

    /// <summary>The loaded, warmed-up versions, by id.</summary>
    public IReadOnlyList<LoadedModel> Loaded => _loads.Values
        .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
        .Select(l => l.Value.Result)
        .OrderBy(m => m.Id, StringComparer.Ordinal)
        .ToArray();

    /// <summary>Versions whose last load failed (or whose changed folder was refused while the earlier load serves), and why.</summary>
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

    /// <summary>
    /// The version a request naming only <paramref name="model"/> gets: the newest loaded one; with none loaded,
    /// the newest that has not failed (it loads on first use); else the newest.
    /// </summary>
    public string ServingVersion(ModelVersions model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var newestFirst = model.Versions.Reverse().ToArray();
        return newestFirst.FirstOrDefault(v => StateOf($"{model.Name}@{v}") == "loaded")
            ?? newestFirst.FirstOrDefault(v => !_failures.ContainsKey($"{model.Name}@{v}"))
            ?? model.Latest;
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
        var version = reference.Version ?? ServingVersion(entry);
        if (!entry.Versions.Contains(version, StringComparer.Ordinal))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"model '{entry.Name}' has no version '{version}'; its versions are [{string.Join(", ", entry.Versions)}]");
        }

        var id = $"{entry.Name}@{version}";
        if (StateOf(id) == "failed" && _failures.TryGetValue(id, out var failure))
        {
            // Not retried per request (a broken file would be hashed again and again); the next reload retries it.
            throw new HypersphereException(ErrorKind.NotReady, $"model {id} cannot be served: {failure.Error}");
        }

        try
        {
            return await LoadAsync(entry.Name, version).WaitAsync(cancellationToken);
        }
        catch (HypersphereException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The request is fine; this server cannot serve that model now.
            throw new HypersphereException(ErrorKind.NotReady, $"model {id} cannot be served: {e.Message}", e);
        }
    }

    /// <summary>The <c>name@version</c> a request without <c>model</c> gets; <see cref="ErrorKind.NotReady"/> when nothing is served.</summary>
    public string DefaultModelId()
    {
        var catalog = Catalog;
        var reference = DefaultReference(catalog);
        var entry = catalog.FirstOrDefault(m => m.Name == reference.Name);
        var version = reference.Version ?? (entry is null ? null : ServingVersion(entry));
        return version is null ? reference.Name : $"{reference.Name}@{version}";
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(_logger, Root, _options.ExecutionProvider);
        _initialLoad = Task.Run(() => ReloadAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops loading, then retires every loaded version: its batch queue runs dry and its session is disposed
    /// (the server has already stopped taking requests and finished those in flight by now).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _initialLoad.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping mid-load: whatever loaded is retired below or disposed with the registry.
        }

        try
        {
            await _scanGate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return; // a reload is still running; Dispose disposes what is loaded
        }

        try
        {
            foreach (var id in _loads.Keys.ToArray())
            {
                if (_loads.TryRemove(id, out var load) && load.IsValueCreated && load.Value.IsCompletedSuccessfully)
                {
                    await RetireAsync(load.Value.Result, cancellationToken);
                }
            }
        }
        finally
        {
            _scanGate.Release();
        }
    }

    /// <summary>Disposes every session still loaded; each waits for its runs in flight.</summary>
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
                LogEmpty(_logger, Root);
            }
        }
        catch (Exception e) when (e is HypersphereException or IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _scanError, $"the models root '{Root}' cannot be read: {e.Message}");
            LogScanFailed(_logger, Root, e.Message);
            catalog = [];
        }

        Volatile.Write(ref _catalog, catalog);
        _firstScan.TrySetResult();
        return catalog;
    }

    private async Task<LoadedModel> LoadAsync(string name, string version)
    {
        var id = $"{name}@{version}";
        var load = _loads.GetOrAdd(id, key => new Lazy<Task<LoadedModel>>(() => Task.Run(async () =>
        {
            // Stamped before loading, so a change made while it loads is seen by the next reload.
            var stamp = FolderStamp.Read(Path.Combine(Root, name, version));
            var model = await _loader.LoadAsync(Root, name, version, _stopping.Token);
            _stamps[id] = stamp;
            _failures.TryRemove(id, out _);
            return model;
        })));
        try
        {
            return await load.Value;
        }
        catch (HypersphereException e)
        {
            // Forget the failed attempt so that the next reload tries again.
            if (_loads.TryRemove(KeyValuePair.Create(id, load)))
            {
                _failures[id] = new ModelLoadFailure(id, e.Message);
                LogLoadFailed(_logger, id, e.Message);
            }

            throw;
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load {Model}: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string error);
}
