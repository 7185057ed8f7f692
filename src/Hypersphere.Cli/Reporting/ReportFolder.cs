using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Reporting;

/// <summary>
/// Puts a report's files into a folder so that a failure leaves the folder as it was. Reports' writer fills a
/// hidden staging folder (each file through <see cref="AtomicFile"/>); only when all of it is written does the
/// result reach the target: a target that did not exist appears by one rename of the staging folder (so a
/// missing folder stays missing on any failure), and an existing one receives each finished file by a rename
/// within the same file system. The staging folder is removed whatever happens.
/// </summary>
internal static class ReportFolder
{
    /// <summary>Checks that <paramref name="directory"/> can hold a report (it is not a file); nothing is created.</summary>
    public static string Check(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw HypersphereException.Invalid($"--out {directory} is a file, but the report needs a folder (it is created if missing)");
        }

        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                throw HypersphereException.Invalid($"--out {directory} lies under the file {parent}, but the report needs a folder");
            }
        }

        return full;
    }

    /// <summary>
    /// Runs <paramref name="write"/> (which writes the report into the folder it is given and returns the paths)
    /// against a staging folder, then moves the result into <paramref name="directory"/>; returns the final paths.
    /// </summary>
    /// <remarks>
    /// Files of <paramref name="owned"/> (names an earlier report in the same folder may have written) that this write
    /// did not produce are removed once the new files are in place, so the folder never mixes two reports.
    /// </remarks>
    public static IReadOnlyList<string> Write(string directory, Func<string, IReadOnlyList<string>> write, IEnumerable<string>? owned = null)
    {
        var target = Check(directory);
        if (!Directory.Exists(target))
        {
            return AsNew(target, write);
        }

        var written = IntoExisting(target, write);
        var fresh = written.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        foreach (var name in owned ?? [])
        {
            if (!fresh.Contains(name))
            {
                File.Delete(Path.Combine(target, name));
            }
        }

        return written;
    }

    // A missing target: stage the whole missing chain beside its topmost missing folder, then rename that once.
    private static List<string> AsNew(string target, Func<string, IReadOnlyList<string>> write)
    {
        var top = target;
        while (Path.GetDirectoryName(top) is { } parent && !Directory.Exists(parent))
        {
            top = parent;
        }

        var staging = AtomicFile.TempPathBeside(top);
        try
        {
            var stagedTarget = Path.Combine(staging, Path.GetRelativePath(top, target));
            var written = write(stagedTarget);
            Directory.Move(staging, top);
            return written.Select(p => Path.Combine(target, Path.GetRelativePath(stagedTarget, p))).ToList();
        }
        finally
        {
            Remove(staging);
        }
    }

    // An existing target: stage inside it (same file system), then rename each file over its old version.
    private static List<string> IntoExisting(string target, Func<string, IReadOnlyList<string>> write)
    {
        var staging = Path.Combine(target, $".report.tmp-{Guid.NewGuid():N}");
        try
        {
            var written = write(staging);
            var moved = new List<string>(written.Count);
            foreach (var path in written)
            {
                var final = Path.Combine(target, Path.GetRelativePath(staging, path));
                File.Move(path, final, overwrite: true);
                moved.Add(final);
            }

            return moved;
        }
        finally
        {
            Remove(staging);
        }
    }

    private static void Remove(string staging)
    {
        try
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden staging folder is harmless, and the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
