using Hypersphere.Core.Errors;
using Hypersphere.Inference;

namespace Hypersphere.Service.Serving;

/// <summary>What a reload did.</summary>
/// <param name="Added">Versions this reload loaded: new folders, or an older version that now serves because a newer one was refused.</param>
/// <param name="Reloaded">Loaded versions whose folder changed and that were loaded again; the new session serves and the old one was disposed.</param>
/// <param name="Removed">Versions whose folder is gone: unloaded after their queued work ran.</param>
/// <param name="Failed">Versions this reload refused, and why; whatever served before keeps serving.</param>
/// <param name="Serving">For each model name, the <c>name@version</c> a request naming only the name now gets.</param>
public sealed record ReloadReport(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Reloaded,
    IReadOnlyList<string> Removed,
    IReadOnlyList<ModelLoadFailure> Failed,
    IReadOnlyDictionary<string, string> Serving);

public sealed partial class ModelRegistry
{
    /// <summary>
    /// Rescans the root and brings the loaded sessions in line with it: versions whose folder is gone are
    /// unloaded (after their queued work), loaded versions whose folder changed are loaded again and swapped in
    /// (a refused change leaves the earlier session serving), and each model gets a serving version: its newest
    /// that loads, trying downwards from the latest. Refused versions are logged and listed until the next reload.
    /// Reloads run one at a time.
    /// </summary>
    public async Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            if (_stopping.IsCancellationRequested && cancellationToken != _stopping.Token)
            {
                throw new HypersphereException(ErrorKind.NotReady, "the service is shutting down; models are no longer reloaded");
            }

            var catalog = Scan();
            _failures.Clear(); // every refusal is decided afresh below
            var present = catalog.SelectMany(m => m.Versions.Select(v => $"{m.Name}@{v}")).ToHashSet(StringComparer.Ordinal);
            var removed = await UnloadRemovedAsync(present, cancellationToken);
            var (reloaded, refusedChanges) = await ReloadChangedAsync(present, cancellationToken);
            var (added, failed) = await LoadServingVersionsAsync(catalog, cancellationToken);
            var report = new ReloadReport(
                added,
                reloaded,
                removed,
                [.. refusedChanges, .. failed],
                catalog.ToDictionary(m => m.Name, m => $"{m.Name}@{ServingVersion(m)}", StringComparer.Ordinal));
            if (added.Count + reloaded.Count + removed.Count + report.Failed.Count > 0)
            {
                LogReloaded(_logger, Root, added, reloaded, removed, report.Failed.Select(f => f.Model));
            }

            return report;
        }
        finally
        {
            _scanGate.Release();
        }
    }

    private async Task<List<string>> UnloadRemovedAsync(HashSet<string> present, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var (id, load) in _loads.ToArray())
        {
            if (present.Contains(id) || !load.IsValueCreated)
            {
                continue;
            }

            LoadedModel model;
            try
            {
                model = await load.Value.WaitAsync(cancellationToken);
            }
            catch (HypersphereException)
            {
                continue; // its failed load has removed it already
            }

            if (_loads.TryRemove(KeyValuePair.Create(id, load)))
            {
                _stamps.TryRemove(id, out _);
                await RetireAsync(model, cancellationToken);
                removed.Add(id);
            }
        }

        return removed;
    }

    private async Task<(List<string> Reloaded, List<ModelLoadFailure> Refused)> ReloadChangedAsync(HashSet<string> present, CancellationToken cancellationToken)
    {
        var reloaded = new List<string>();
        var refused = new List<ModelLoadFailure>();
        foreach (var (id, stamp) in _stamps.ToArray())
        {
            if (!present.Contains(id) || !_loads.TryGetValue(id, out var current) || !current.Value.IsCompletedSuccessfully)
            {
                continue;
            }

            var (name, version) = Split(id);
            var folder = Path.Combine(Root, name, version);
            var now = FolderStamp.Read(folder);
            if (now == stamp)
            {
                continue;
            }

            LoadedModel fresh;
            try
            {
                fresh = await _loader.LoadAsync(Root, name, version, cancellationToken);
            }
            catch (HypersphereException e)
            {
                var failure = new ModelLoadFailure(id, $"its folder changed, but the new files are refused (the earlier load keeps serving): {e.Message}");
                _failures[id] = failure;
                refused.Add(failure);
                LogLoadFailed(_logger, id, failure.Error);
                continue;
            }

            var swapped = new Lazy<Task<LoadedModel>>(() => Task.FromResult(fresh));
            _ = swapped.Value;
            _loads[id] = swapped;
            _stamps[id] = now;
            await RetireAsync(current.Value.Result, cancellationToken);
            reloaded.Add(id);
        }

        return (reloaded, refused);
    }

    private async Task<(List<string> Added, List<ModelLoadFailure> Failed)> LoadServingVersionsAsync(IReadOnlyList<ModelVersions> catalog, CancellationToken cancellationToken)
    {
        var added = new List<string>();
        var failed = new List<ModelLoadFailure>();
        foreach (var model in catalog)
        {
            foreach (var version in model.Versions.Reverse())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var id = $"{model.Name}@{version}";
                var wasLoaded = StateOf(id) == "loaded";
                try
                {
                    await LoadAsync(model.Name, version).WaitAsync(cancellationToken);
                    if (!wasLoaded)
                    {
                        added.Add(id);
                    }

                    break;
                }
                catch (HypersphereException e)
                {
                    // Logged and listed in Failures by LoadAsync; try the next older version.
                    failed.Add(new ModelLoadFailure(id, e.Message));
                }
            }
        }

        return (added, failed);
    }

    /// <summary>Stops routing work to <paramref name="model"/>'s session, waits for its queued work, then disposes it (which waits for runs in flight).</summary>
    private async Task RetireAsync(LoadedModel model, CancellationToken cancellationToken)
    {
        foreach (var drain in _drains)
        {
            try
            {
                await drain.DrainAsync(model, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LogDrainCut(_logger, model.Id);
            }
        }

        await Task.Run(model.Encoder.Dispose, CancellationToken.None);
        LogUnloaded(_logger, model.Id);
    }

    private static (string Name, string Version) Split(string id)
    {
        var at = id.IndexOf('@', StringComparison.Ordinal);
        return (id[..at], id[(at + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded {Root}: added [{Added}], reloaded [{Reloaded}], removed [{Removed}], refused [{Failed}]")]
    private static partial void LogReloaded(ILogger logger, string root, IEnumerable<string> added, IEnumerable<string> reloaded, IEnumerable<string> removed, IEnumerable<string> failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model}")]
    private static partial void LogUnloaded(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped waiting for the queue of {Model} to drain; disposing its session")]
    private static partial void LogDrainCut(ILogger logger, string model);
}
