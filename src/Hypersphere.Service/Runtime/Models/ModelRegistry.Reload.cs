using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>What a reload did.</summary>
/// <param name="Added">Versions this reload loaded: new folders, or an older version that now serves because a newer one was refused.</param>
/// <param name="Reloaded">Loaded versions whose folder changed and that were loaded again; the new session serves and the old one was disposed.</param>
/// <param name="Removed">Versions whose folder is gone: unloaded after their queued work ran.</param>
/// <param name="Failed">Versions this reload refused, and why; whatever served before keeps serving.</param>
/// <param name="Serving">For each model name, the <c>name@version</c> a request naming only the name now gets.</param>
public sealed record ReloadReport(
    IReadOnlyList<ModelId> Added,
    IReadOnlyList<ModelId> Reloaded,
    IReadOnlyList<ModelId> Removed,
    IReadOnlyList<ModelLoadFailure> Failed,
    IReadOnlyDictionary<string, ModelId> Serving);

public sealed partial class ModelRegistry
{
    /// <summary>
    /// Rescans the root and brings the loaded sessions in line with it (<see cref="ReloadPlanner"/>): versions whose
    /// folder is gone are unloaded (after their queued work), loaded versions whose folder changed are loaded again
    /// and swapped in (a refused change leaves the earlier session serving), and each model gets a serving version:
    /// its newest that loads, trying downwards from the latest. Refused versions are logged and listed until the
    /// next reload. Reloads run one at a time.
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
            _slots.ClearFailures(); // every refusal is decided afresh below
            var plan = ReloadPlanner.Plan(catalog, _slots.Ids, _slots.Stamps, id => FolderStamp.Read(id.FolderUnder(Root)));

            var removed = new List<ModelId>();
            foreach (var id in plan.Remove)
            {
                if (await _slots.RemoveAsync(id, cancellationToken) is { } model)
                {
                    await RetireAsync(model, cancellationToken);
                    removed.Add(id);
                }
            }

            var (reloaded, refused) = await ReloadChangedAsync(plan.Changed, cancellationToken);
            var (added, failed) = await LoadServingVersionsAsync(plan.Serve, cancellationToken);
            var report = new ReloadReport(
                added,
                reloaded,
                removed,
                [.. refused, .. failed],
                catalog.Models.ToDictionary(m => m.Name, m => new ModelId(m.Name, ServingVersion(m)), StringComparer.Ordinal));
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

    private async Task<(List<ModelId> Reloaded, List<ModelLoadFailure> Refused)> ReloadChangedAsync(
        IReadOnlyList<(ModelId Id, FolderStamp Now)> changed, CancellationToken cancellationToken)
    {
        var reloaded = new List<ModelId>();
        var refused = new List<ModelLoadFailure>();
        foreach (var (id, now) in changed)
        {
            LoadedModel fresh;
            try
            {
                fresh = await _slots.LoadFreshAsync(id, cancellationToken);
            }
            catch (HypersphereException e)
            {
                refused.Add(_slots.Refuse(id, e, "its folder changed, but the new files are refused (the earlier load keeps serving): "));
                continue;
            }

            if (_slots.Swap(id, fresh, now) is { } previous)
            {
                await RetireAsync(previous, cancellationToken);
            }

            reloaded.Add(id);
        }

        return (reloaded, refused);
    }

    private async Task<(List<ModelId> Added, List<ModelLoadFailure> Failed)> LoadServingVersionsAsync(
        IReadOnlyList<IReadOnlyList<ModelId>> serve, CancellationToken cancellationToken)
    {
        var added = new List<ModelId>();
        var failed = new List<ModelLoadFailure>();
        foreach (var newestFirst in serve)
        {
            foreach (var id in newestFirst)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wasLoaded = _slots.StateOf(id) == ModelState.Loaded;
                try
                {
                    await _slots.LoadAsync(id, _stopping.Token).WaitAsync(cancellationToken);
                    if (!wasLoaded)
                    {
                        added.Add(id);
                    }

                    break;
                }
                catch (HypersphereException)
                {
                    // Logged and recorded by the slots; try the next older version.
                    failed.Add(_slots.FailureOf(id) ?? new ModelLoadFailure(id, "the load failed"));
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
                LogDrainCut(_logger, model.Id.ToString());
            }
        }

        await Task.Run(model.Encoder.Dispose, CancellationToken.None);
        LogUnloaded(_logger, model.Id.ToString());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded {Root}: added [{Added}], reloaded [{Reloaded}], removed [{Removed}], refused [{Failed}]")]
    private static partial void LogReloaded(ILogger logger, string root, IEnumerable<ModelId> added, IEnumerable<ModelId> reloaded, IEnumerable<ModelId> removed, IEnumerable<ModelId> failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model}")]
    private static partial void LogUnloaded(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped waiting for the queue of {Model} to drain; disposing its session")]
    private static partial void LogDrainCut(ILogger logger, string model);
}
