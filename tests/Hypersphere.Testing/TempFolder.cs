namespace Hypersphere.Testing;

/// <summary>A fresh folder under the temp directory, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hypersphere-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The path of <paramref name="parts"/> inside the folder; nothing is created.</summary>
    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates the folder <paramref name="parts"/> inside this one (with its parents) and returns its path.</summary>
    public string Folder(params string[] parts)
    {
        var path = File(parts);
        Directory.CreateDirectory(path);
        return path;
    }

    // A test may already have removed the folder (or run a process that did); that is not a failure.
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
