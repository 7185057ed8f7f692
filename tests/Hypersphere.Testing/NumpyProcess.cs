using System.Diagnostics;
using Xunit;

namespace Hypersphere.Testing;

/// <summary>
/// Runs a Python snippet with Debian's /usr/bin/python3 and its python3-numpy: a second, unrelated
/// implementation of the .npy format. Missing Python or NumPy fails the test in CI and skips it elsewhere.
/// </summary>
public static class NumpyProcess
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Stdout of <c>python3 -c script args…</c>; fails the test if the script fails.</summary>
    public static string Run(string script, params string[] args)
    {
        RequireNumpy();
        var (code, stdout, stderr) = Start(["-c", script, .. args]);
        Assert.True(code == 0, $"python3 exited with {code}:\n{stderr}");
        return stdout;
    }

    private static void RequireNumpy()
    {
        string? missing = null;
        if (!File.Exists(Python))
        {
            missing = $"{Python} does not exist";
        }
        else
        {
            var (code, _, stderr) = Start(["-c", "import numpy"]);
            if (code != 0)
            {
                missing = $"{Python} cannot import numpy: {stderr.Trim()}";
            }
        }

        if (missing is null)
        {
            return;
        }

        Assert.False(
            Environment.GetEnvironmentVariable("CI") == "true",
            $"CI must have Debian's python3 and python3-numpy (apt-get install python3-numpy), but {missing}");
        Skip.If(true, $"{missing}; install with `apt-get install python3-numpy`");
    }

    private static (int Code, string Stdout, string Stderr) Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("python3 did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
