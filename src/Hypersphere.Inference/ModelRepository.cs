using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>A model name and its versions, oldest first (<see cref="VersionComparer"/>).</summary>
/// <param name="Name">The name folder.</param>
/// <param name="Versions">Version folders that hold a card, ascending; never empty.</param>
public sealed record ModelVersions(string Name, IReadOnlyList<string> Versions)
{
    /// <summary>The default version: the highest.</summary>
    public string Latest => Versions[^1];
}

/// <summary>
/// The models root (<c>models/&lt;name&gt;/&lt;version&gt;/</c>) as a listing. A scan only looks at folders: a
/// version counts when it holds <c>model.json</c>; folders whose name starts with '.' are skipped, so a
/// version can be staged under a hidden name and renamed into place. Loading and checking a version
/// is <see cref="ModelFolder.Open"/>'s job.
/// </summary>
/// <param name="root">The models root.</param>
public sealed class ModelRepository(string root)
{
    /// <summary>The models root, as a full path.</summary>
    public string Root { get; } = Path.GetFullPath(root ?? throw new ArgumentNullException(nameof(root)));

    /// <summary>Every name with at least one version, names in ordinal order.</summary>
    public IReadOnlyList<ModelVersions> Scan()
    {
        if (!Directory.Exists(Root))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"models root '{Root}' does not exist; expected a folder of <name>/<version>/ model folders");
        }

        return VisibleSubfolders(Root)
            .Order(StringComparer.Ordinal)
            .Select(name => new ModelVersions(name, VersionsOf(Path.Combine(Root, name))))
            .Where(m => m.Versions.Count > 0)
            .ToArray();
    }

    /// <summary>
    /// A path given on a command line: a version folder (it holds <c>model.json</c>) as it is, or a name
    /// folder (its subfolders hold cards) as its latest version.
    /// </summary>
    public static string ResolveFolder(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (File.Exists(Path.Combine(full, ModelCard.FileName)) || !Directory.Exists(full))
        {
            return full; // ModelFolder.Open reports what is missing.
        }

        var versions = VersionsOf(full);
        return versions.Length > 0 ? Path.Combine(full, versions[^1]) : full;
    }

    private static string[] VersionsOf(string nameFolder) => VisibleSubfolders(nameFolder)
        .Where(v => File.Exists(Path.Combine(nameFolder, v, ModelCard.FileName)))
        .Order(VersionComparer.Instance)
        .ToArray();

    private static IEnumerable<string> VisibleSubfolders(string folder) => Directory
        .EnumerateDirectories(folder)
        .Select(d => Path.GetFileName(d))
        .Where(n => !n.StartsWith('.'));
}
