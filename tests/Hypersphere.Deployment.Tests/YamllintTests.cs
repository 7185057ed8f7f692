namespace Hypersphere.Deployment.Tests;

/// <summary>
/// yamllint (Debian's package, installed by .ci/install) passes on the chart's plain YAML files with the chart's
/// .yamllint. Where yamllint is missing the test is skipped, except in CI (CI=true), where it must be there (<see cref="DebianTool"/>).
/// </summary>
public sealed class YamllintTests
{
    private static readonly string[] PlainYaml = ["helm/hypersphere/Chart.yaml", "helm/hypersphere/values.yaml"];

    [SkippableFact]
    public void ChartYamlAndValuesYamlPassYamllint()
    {
        var yamllint = RequireYamllint();

        var result = Processes.Run(yamllint, ["--strict", "-f", "parsable", "-c", "helm/hypersphere/.yamllint", .. PlainYaml], Repository.Root, TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [SkippableFact]
    public void TheChartsYamllintSettingsStillCatchMistakes()
    {
        var yamllint = RequireYamllint();
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "values.yaml");
        File.WriteAllText(bad, "---\nkey: yes\nkey: 2\nlist:\n    - a\n  - b\n");

        var result = Processes.Run(yamllint, ["--strict", "-f", "parsable", "-c", Repository.PathOf("helm", "hypersphere", ".yamllint"), bad], temp.Path, TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("truthy", result.Output, StringComparison.Ordinal);
        Assert.Contains("key-duplicates", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void CiInstallsYamllint()
    {
        var install = Repository.Read(".ci", "install");
        var start = install.IndexOf("packages=(", StringComparison.Ordinal);
        var list = install[start..install.IndexOf("\n)", start, StringComparison.Ordinal)];

        Assert.Contains(list.Split('\n'), line => line.Trim().Split(' ', 2)[0] == "yamllint");
    }

    private static string RequireYamllint() => DebianTool.Require("/usr/bin/yamllint", "yamllint");
}
