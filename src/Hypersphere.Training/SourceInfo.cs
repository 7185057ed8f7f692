using System.Diagnostics;

namespace Hypersphere.Training;

/// <summary>Which code produced an artefact, for checkpoints and model cards.</summary>
public static class SourceInfo
{
    /// <summary>The git commit of the working folder (with "-dirty" if it has changes), or null outside a repository.</summary>
    public static string? Commit()
    {
        try
        {
            var head = Git("rev-parse HEAD");
            if (head is null)
            {
                return null;
            }

            var dirty = Git("status --porcelain --untracked-files=no");
            return string.IsNullOrWhiteSpace(dirty) ? head : head + "-dirty";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? Git(string arguments)
    {
        var start = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : null;
    }
}
