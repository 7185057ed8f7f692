namespace Hypersphere.Testing;

/// <summary>The repository checkout the tests run from.</summary>
public static class Repository
{
    /// <summary>The folder holding Hypersphere.Service.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The text of a file under the repository root.</summary>
    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Hypersphere.Service.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Hypersphere.Service.sln above {AppContext.BaseDirectory}");
    }
}
