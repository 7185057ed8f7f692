namespace Hypersphere.Service.Runtime.Models;

/// <summary>What a reload is to do, decided from a fresh catalog and the slots before anything is loaded or disposed.</summary>
/// <param name="Remove">Loaded versions whose folder is gone: retire them.</param>
/// <param name="Changed">Loaded versions whose folder changed since they were loaded, with the folder's stamp now: load them again.</param>
/// <param name="Serve">Per model, its versions newest first: the first that loads serves requests naming only the model.</param>
internal sealed record ReloadPlan(
    IReadOnlyList<ModelId> Remove,
    IReadOnlyList<(ModelId Id, FolderStamp Now)> Changed,
    IReadOnlyList<IReadOnlyList<ModelId>> Serve);

/// <summary>Plans a reload: a pure function of the catalog, the loaded versions' stamps and the folders' stamps now.</summary>
internal static class ReloadPlanner
{
    /// <summary>The plan for <paramref name="catalog"/> given the versions in slots (<paramref name="slotted"/>) and their stamps when loaded.</summary>
    public static ReloadPlan Plan(
        ModelCatalog catalog, IEnumerable<ModelId> slotted, IReadOnlyDictionary<ModelId, FolderStamp> loadedStamps, Func<ModelId, FolderStamp> stampNow)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stampNow);
        var remove = slotted.Where(id => !catalog.Contains(id)).Order().ToArray();
        var changed = loadedStamps
            .Where(pair => catalog.Contains(pair.Key))
            .Select(pair => (Id: pair.Key, Then: pair.Value, Now: stampNow(pair.Key)))
            .Where(s => s.Now != s.Then)
            .Select(s => (s.Id, s.Now))
            .OrderBy(s => s.Id)
            .ToArray();
        var serve = catalog.Models
            .Select(m => (IReadOnlyList<ModelId>)m.Versions.Reverse().Select(v => new ModelId(m.Name, v)).ToArray())
            .ToArray();
        return new ReloadPlan(remove, changed, serve);
    }
}
