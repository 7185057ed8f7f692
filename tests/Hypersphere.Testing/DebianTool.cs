using Xunit;

namespace Hypersphere.Testing;

/// <summary>
/// A program from a Debian package that .ci/install installs. Where it is missing the test is skipped with the
/// command that installs it, except in CI (CI=true), where it must be there and the test fails.
/// </summary>
public static class DebianTool
{
    /// <summary><paramref name="path"/> if it exists; otherwise skips the test, or fails it in CI.</summary>
    public static string Require(string path, string package)
    {
        if (File.Exists(path))
        {
            return path;
        }

        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"CI must have {path} (Debian package {package}, installed by .ci/install)");
        Skip.If(true, $"{path} is missing; install it with `apt-get install {package}`");
        return path;
    }
}
