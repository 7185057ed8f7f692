using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// The served models: a hosted service that scans <see cref="HypersphereOptions.ModelsPath"/> when the host starts
/// and loads a version of every model in the background (one long-lived <see cref="OnnxEncoder"/> per version;
/// loading includes the card and sha256 checks and a warm-up run): the latest, or when it cannot be loaded the
/// newest that can. A request naming only the model gets that serving version; older versions load on first use and
/// then stay. A version that fails to load is logged and listed in <see cref="Failures"/> until the next reload; the
/// others keep serving. It is made of three parts: the immutable <see cref="ModelCatalog"/> of the last scan, the
/// <see cref="ModelSlots"/> that load, swap and retire sessions, and the <see cref="ReloadPlanner"/>
/// (<see cref="ReloadAsync"/>, called by the folder watcher and <c>POST /admin/reload</c>).
/// </summary>
public sealed partial class ModelRegistry : IHostedService, IDisposable
{
    private readonly HypersphereOptions _options;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly ModelRepository _repository;
    private readonly ModelSlots _slots;
    private readonly IModelDrain[] _drains;
    private readonly TaskCompletionSource _firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ModelCatalog _catalog = ModelCatalog.Empty;
    private Task _initialLoad = Task.CompletedTask;
    private int _disposed;

    /// <summary>Creates the registry; nothing is read before the host starts it.</summary>
    /// <param name="options">The settings (models root, provider, retries).</param>
    /// <param name="logger">Where loads, failures and reloads are logged.</param>
    /// <param name="drains">Work to finish before a version's session is disposed (the batch queues).</param>
    /// <param name="encoders">Opens and warms up a folder's session (<see cref="OnnxEncoder.Load(ModelFolder, EncoderOptions?)"/>).</param>
    /// <param name="metrics">Where failed load attempts are counted.</param>
    public ModelRegistry(
        IOptions<HypersphereOptions> options, ILogger<ModelRegistry> logger, IEnumerable<IModelDrain> drains, EncoderLoader encoders, ServiceMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _repository = new ModelRepository(_options.ModelsPath);
        _slots = new ModelSlots(new ModelLoader(_options, logger, encoders, metrics), _repository.Root, logger);
        _drains = drains.ToArray();
    }

    /// <summary>The models root, as a full path (for the log and the watcher; never in answers).</summary>
    public string Root => _repository.Root;

    /// <summary>Every model and its versions as of the last scan.</summary>
    public ModelCatalog Catalog => Volatile.Read(ref _catalog);

    /// <summary>Completes when the start-up scan has loaded (or failed to load) a version of every model.</summary>
    public Task Initialization => _initialLoad;

    /// <summary>Ready once the start-up loading has finished and at least one model serves.</summary>
    public bool IsReady => _initialLoad.IsCompleted && Loaded.Count > 0;

    /// <summary>The loaded, warmed-up versions, by id.</summary>
    public IReadOnlyList<LoadedModel> Loaded => _slots.Loaded;

    /// <summary>Versions whose last load failed (or whose changed folder was refused while the earlier load serves), and why.</summary>
    public IReadOnlyList<ModelLoadFailure> Failures => _slots.Failures;

    /// <summary>Where <paramref name="id"/> stands.</summary>
    public ModelState StateOf(ModelId id) => _slots.StateOf(id);

    /// <summary>
    /// The version a request naming only <paramref name="model"/> gets: the newest loaded one; with none loaded,
    /// the newest that has not failed (it loads on first use); else the newest.
    /// </summary>
    public string ServingVersion(ModelVersions model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var newestFirst = model.Versions.Reverse().Select(v => new ModelId(model.Name, v)).ToArray();
        return (newestFirst.FirstOrDefault(id => StateOf(id) == ModelState.Loaded) is { Name: not null } loaded ? loaded
            : newestFirst.FirstOrDefault(id => StateOf(id) != ModelState.Failed) is { Name: not null } unfailed ? unfailed
            : newestFirst[0]).Version;
    }

    /// <summary>The card of <paramref name="id"/>: the loaded session's, else read from its folder; a card that cannot be read is <see cref="HypersphereException"/> (with a public message).</summary>
    public ModelCard CardOf(ModelId id)
    {
        if (Loaded.FirstOrDefault(m => m.Id == id) is { } model)
        {
            return model.Card;
        }

        try
        {
            return ModelCardFile.Read(Path.Combine(id.FolderUnder(Root), ModelCard.FileName));
        }
        catch (HypersphereException e)
        {
            throw new HypersphereException(e.Kind, PublicText.Scrub(e.Message, Root), e);
        }
    }

    /// <summary>The model a request's <c>model</c> field names, loading it if needed (see the class summary).</summary>
    /// <param name="model"><c>name</c>, <c>name@version</c>, or null for the default model.</param>
    /// <param name="cancellationToken">The request's token.</param>
    public async Task<LoadedModel> ResolveAsync(string? model, CancellationToken cancellationToken)
    {
        await _firstScan.Task.WaitAsync(cancellationToken);
        var id = Identify(model);
        if (StateOf(id) == ModelState.Failed && _slots.FailureOf(id) is { } failure)
        {
            // Not retried per request (a broken file would be hashed again and again); the next reload retries it.
            throw new HypersphereException(ErrorKind.NotReady, $"model {id} cannot be served: {failure.Error}");
        }

        try
        {
            return await _slots.LoadAsync(id, _stopping.Token).WaitAsync(cancellationToken);
        }
        catch (HypersphereException) when (!cancellationToken.IsCancellationRequested)
        {
            // The request is fine; this server cannot serve that model now.
            var reason = _slots.FailureOf(id)?.Error ?? "its load failed";
            throw new HypersphereException(ErrorKind.NotReady, $"model {id} cannot be served: {reason}");
        }
    }

    /// <summary>
    /// The version a <c>model</c> field names as of the last scan, loading nothing: <c>name@version</c>, or
    /// <c>name</c> for its serving version, or null for the default model. An unknown name or version is
    /// <see cref="ErrorKind.NotFound"/>, with the names or versions there are.
    /// </summary>
    public ModelId Identify(string? model)
    {
        var catalog = Catalog;
        var reference = model is null ? DefaultReference(catalog) : ModelReference.Parse(model);
        var entry = catalog.Find(reference.Name)
            ?? throw new HypersphereException(ErrorKind.NotFound, $"model '{reference.Name}' is not served here; the models are [{string.Join(", ", catalog.Models.Select(m => m.Name))}]");
        var id = new ModelId(entry.Name, reference.Version ?? ServingVersion(entry));
        return catalog.Contains(id)
            ? id
            : throw new HypersphereException(ErrorKind.NotFound, $"model '{entry.Name}' has no version '{id.Version}'; its versions are [{string.Join(", ", entry.Versions)}]");
    }

    /// <summary>The version a request without <c>model</c> gets; null when nothing is served.</summary>
    public ModelId? DefaultModel()
    {
        var catalog = Catalog;
        if (catalog.Models.Count == 0 && string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return null;
        }

        var reference = DefaultReference(catalog);
        var entry = catalog.Find(reference.Name);
        var version = reference.Version ?? (entry is null ? null : ServingVersion(entry));
        return version is null ? null : new ModelId(reference.Name, version);
    }

    /// <summary>Why nothing serves, in public words (for the readiness probe).</summary>
    public string NotServingReason()
    {
        if (!_initialLoad.IsCompleted)
        {
            var loading = Catalog.Latest.Where(id => StateOf(id) != ModelState.Loaded);
            var failing = Failures;
            return $"models are still loading and warming up: [{string.Join(", ", loading)}]"
                + (failing.Count > 0 ? $"; failed so far: {string.Join("; ", failing.Select(f => $"{f.Model}: {f.Error}"))}" : string.Empty);
        }

        if (Catalog.ScanError is { } scanError)
        {
            return scanError;
        }

        var failed = Failures;
        return failed.Count > 0
            ? $"no model could be loaded: {string.Join("; ", failed.Select(f => $"{f.Model}: {f.Error}"))}"
            : $"no model to serve: the models root holds no <name>/<version>/{ModelCard.FileName}";
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
            foreach (var id in _slots.Ids)
            {
                if (await _slots.RemoveAsync(id, cancellationToken) is { } model)
                {
                    await RetireAsync(model, cancellationToken);
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
        _slots.DisposeAll();
        // _stopping and _scanGate are left undisposed on purpose: the host may still call StopAsync after the
        // container disposed the registry (WebApplication.Run disposes as it returns), and neither holds a
        // wait handle or timer that needs releasing.
    }

    private ModelCatalog Scan()
    {
        ModelCatalog catalog;
        try
        {
            catalog = new ModelCatalog(_repository.Scan(), null);
            if (catalog.Models.Count == 0)
            {
                LogEmpty(_logger, Root);
            }
        }
        catch (Exception e) when (e is HypersphereException or IOException or UnauthorizedAccessException)
        {
            LogScanFailed(_logger, Root, e.Message);
            catalog = new ModelCatalog([], PublicText.Scrub($"the models root cannot be read: {e.Message}", Root));
        }

        Volatile.Write(ref _catalog, catalog);
        _firstScan.TrySetResult();
        return catalog;
    }

    private ModelReference DefaultReference(ModelCatalog catalog)
    {
        if (!string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return ModelReference.Parse(_options.DefaultModel, "Hypersphere:DefaultModel");
        }

        return catalog.Models.Count > 0
            ? new ModelReference(catalog.Models[0].Name, null)
            : throw new HypersphereException(ErrorKind.NotReady, catalog.ScanError ?? $"no model is served: the models root holds no <name>/<version>/{ModelCard.FileName}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading models from {Root} (execution provider {Provider})")]
    private static partial void LogStarting(ILogger logger, string root, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The models root {Root} holds no model (<name>/<version>/model.json)")]
    private static partial void LogEmpty(ILogger logger, string root);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot scan the models root {Root}: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string root, string error);
}
