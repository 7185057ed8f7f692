using System.Collections.Concurrent;
using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// The loaded sessions, one slot per model version: loads on demand (one load per version however many requests
/// ask at once), swaps a reloaded session in, takes a slot out for retirement, and remembers each version's
/// folder stamp (to see changes) and the last failure (until the next reload decides afresh).
/// </summary>
internal sealed partial class ModelSlots(ModelLoader loader, string root, ILogger logger)
{
    private readonly ConcurrentDictionary<ModelId, Lazy<Task<LoadedModel>>> _loads = new();
    private readonly ConcurrentDictionary<ModelId, FolderStamp> _stamps = new();
    private readonly ConcurrentDictionary<ModelId, ModelLoadFailure> _failures = new();

    /// <summary>The loaded, warmed-up versions, by id.</summary>
    public IReadOnlyList<LoadedModel> Loaded => _loads.Values
        .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
        .Select(l => l.Value.Result)
        .OrderBy(m => m.Id)
        .ToArray();

    /// <summary>Versions whose last load failed, or whose changed folder was refused while the earlier load serves.</summary>
    public IReadOnlyList<ModelLoadFailure> Failures => _failures.Values.OrderBy(f => f.Model).ToArray();

    /// <summary>The folder stamps of the loaded versions, as they were when loaded.</summary>
    public IReadOnlyDictionary<ModelId, FolderStamp> Stamps => _stamps.ToDictionary();

    /// <summary>Where <paramref name="id"/> stands.</summary>
    public ModelState StateOf(ModelId id)
    {
        if (_loads.TryGetValue(id, out var load) && load.IsValueCreated)
        {
            return load.Value.IsCompletedSuccessfully ? ModelState.Loaded : load.Value.IsCompleted ? ModelState.Failed : ModelState.Loading;
        }

        return _failures.ContainsKey(id) ? ModelState.Failed : ModelState.NotLoaded;
    }

    /// <summary>Why <paramref name="id"/> last failed, or null.</summary>
    public ModelLoadFailure? FailureOf(ModelId id) => _failures.GetValueOrDefault(id);

    /// <summary>Forgets every failure: a reload decides them afresh.</summary>
    public void ClearFailures() => _failures.Clear();

    /// <summary>Records that a change to <paramref name="id"/>'s folder was refused (its earlier load keeps serving).</summary>
    public ModelLoadFailure Refuse(ModelId id, Exception error, string context)
    {
        var failure = new ModelLoadFailure(id, PublicText.Scrub($"{context}{error.Message}", root));
        _failures[id] = failure;
        LogLoadFailed(logger, id.ToString(), $"{context}{error.Message}");
        return failure;
    }

    /// <summary>The session of <paramref name="id"/>, loading it first if needed; a failed load is <see cref="HypersphereException"/> and recorded.</summary>
    public async Task<LoadedModel> LoadAsync(ModelId id, CancellationToken stopping)
    {
        var load = _loads.GetOrAdd(id, key => new Lazy<Task<LoadedModel>>(() => Task.Run(async () =>
        {
            // Stamped before loading, so a change made while it loads is seen by the next reload.
            var stamp = FolderStamp.Read(key.FolderUnder(root));
            var model = await loader.LoadAsync(root, key, stopping, (error, attempt) => Retrying(key, error, attempt));
            _stamps[key] = stamp;
            _failures.TryRemove(key, out _);
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
                Refuse(id, e, string.Empty);
            }

            throw;
        }
    }

    /// <summary>Lists a failed load attempt while the loader retries (the last one's failure replaces it; a success clears it).</summary>
    private void Retrying(ModelId id, Exception error, int attempt)
    {
        _failures[id] = new ModelLoadFailure(id, PublicText.Scrub($"load attempt {attempt} of {loader.Attempts} failed: {error.Message}", root));
    }

    /// <summary>Loads <paramref name="id"/> afresh beside the serving session, without touching the slot.</summary>
    public Task<LoadedModel> LoadFreshAsync(ModelId id, CancellationToken cancellationToken) => loader.LoadAsync(root, id, cancellationToken);

    /// <summary>Puts <paramref name="fresh"/> in <paramref name="id"/>'s slot; returns the session it replaced (to retire), if any.</summary>
    public LoadedModel? Swap(ModelId id, LoadedModel fresh, FolderStamp stamp)
    {
        var swapped = new Lazy<Task<LoadedModel>>(Task.FromResult(fresh));
        LoadedModel? previous = null;
        _loads.AddOrUpdate(
            id,
            swapped,
            (_, current) =>
            {
                previous = current.IsValueCreated && current.Value.IsCompletedSuccessfully ? current.Value.Result : null;
                return swapped;
            });
        _stamps[id] = stamp;
        return previous;
    }

    /// <summary>Takes <paramref name="id"/>'s loaded session out of service (to retire it); null if none was loaded.</summary>
    public async Task<LoadedModel?> RemoveAsync(ModelId id, CancellationToken cancellationToken)
    {
        if (!_loads.TryGetValue(id, out var load) || !load.IsValueCreated)
        {
            return null;
        }

        LoadedModel model;
        try
        {
            model = await load.Value.WaitAsync(cancellationToken);
        }
        catch (HypersphereException)
        {
            return null; // its failed load has removed it already
        }

        if (!_loads.TryRemove(KeyValuePair.Create(id, load)))
        {
            return null;
        }

        _stamps.TryRemove(id, out _);
        return model;
    }

    /// <summary>The versions with a slot (loaded, loading or failed-in-flight).</summary>
    public IReadOnlyList<ModelId> Ids => _loads.Keys.ToArray();

    /// <summary>Disposes every loaded session and empties the slots (the process is ending).</summary>
    public void DisposeAll()
    {
        foreach (var load in _loads.Values)
        {
            if (load.IsValueCreated && load.Value.IsCompletedSuccessfully)
            {
                load.Value.Result.Encoder.Dispose();
            }
        }

        _loads.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load {Model}: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string model, string error);
}
