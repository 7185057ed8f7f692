using Hypersphere.Inference;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// What one scan of the models root found: every model and its versions (names in ordinal order, versions
/// ascending), or why the root could not be read. Immutable: a reload makes a new one and swaps it in whole.
/// </summary>
/// <param name="Models">The models.</param>
/// <param name="ScanError">Why the scan failed (in public words), or null.</param>
public sealed record ModelCatalog(IReadOnlyList<ModelVersions> Models, string? ScanError)
{
    /// <summary>Before the first scan.</summary>
    public static ModelCatalog Empty { get; } = new([], null);

    /// <summary>The model called <paramref name="name"/>, or null.</summary>
    public ModelVersions? Find(string name) => Models.FirstOrDefault(m => m.Name == name);

    /// <summary>Whether <paramref name="id"/> has a folder.</summary>
    public bool Contains(ModelId id) => Find(id.Name)?.Versions.Contains(id.Version, StringComparer.Ordinal) == true;

    /// <summary>Every version of every model.</summary>
    public IEnumerable<ModelId> Versions => Models.SelectMany(m => m.Versions.Select(v => new ModelId(m.Name, v)));

    /// <summary>The newest version of each model.</summary>
    public IEnumerable<ModelId> Latest => Models.Select(m => new ModelId(m.Name, m.Latest));
}
