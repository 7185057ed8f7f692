namespace Hypersphere.Core.IO;

/// <summary>
/// Writes files so that readers see the old content or the complete new content, never a torn file:
/// the bytes go to a temp file in the same folder (a rename is atomic only within one file system),
/// are flushed to disk, and the temp file is then renamed over the target. On failure the temp file
/// is deleted and the target is left as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces (or creates) <paramref name="path"/> with what <paramref name="write"/> writes, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var temp = TempPathBeside(path);
        try
        {
            CreateDurably(temp, write);

            // The rename itself is not fsynced (.NET has no portable way to flush a folder): after a power
            // cut the old file may come back, but never a torn one.
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="bytes"/>, atomically.</summary>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Creates <paramref name="path"/>, which must not exist yet, with what <paramref name="write"/> writes,
    /// and flushes it to disk before returning: the step before a rename, for this class and for writers
    /// that rename a whole folder of such files.
    /// </summary>
    public static void CreateDurably(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        write(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// A fresh hidden name beside <paramref name="path"/> (<c>.&lt;name&gt;.tmp-&lt;guid&gt;</c>): same folder, so
    /// the final rename stays on one file system; unique, so concurrent writers never share a temp file.
    /// </summary>
    public static string TempPathBeside(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder", nameof(path));
        return Path.Combine(folder, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
    }
}
