using System.Text.RegularExpressions;
using Hypersphere.Deployment.Tests.Docker;
using Hypersphere.Deployment.Tests.Helm;
using Hypersphere.Service.Hosting;

namespace Hypersphere.Deployment.Tests;

/// <summary>The commands the documentation gives use targets, ports and values that exist.</summary>
public sealed partial class DocumentationTests
{
    private static readonly string[] Documents = ["README.md", "docs/deployment.md", "helm/hypersphere/README.md"];
    private readonly Dockerfile _dockerfile = Dockerfile.Load();
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void TheReadmeHasADeploymentSectionBeforeTheLayout()
    {
        var readme = Repository.Read("README.md");

        var deployment = readme.IndexOf("\n## Deployment\n", StringComparison.Ordinal);
        var layout = readme.IndexOf("\n## Layout\n", StringComparison.Ordinal);

        Assert.True(deployment > 0, "README.md has no '## Deployment' section");
        Assert.True(layout < 0 || deployment < layout, "'## Deployment' must come before '## Layout'");
    }

    [Fact]
    public void TheReadmeBuildsAndRunsEachTarget()
    {
        var builds = DockerBuilds(Repository.Read("README.md")).ToList();

        Assert.Equal(["cpu", "gpu", "trainer"], builds.Select(b => b.Target).Distinct().Order(StringComparer.Ordinal));
        foreach (var (_, tag) in builds)
        {
            Assert.Contains(Commands(Repository.Read("README.md")), c => c.StartsWith("docker run", StringComparison.Ordinal) && c.Contains(tag, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void DockerBuildLinesUseExistingTargetsAndTagImagesTheWayTheChartNamesThem()
    {
        foreach (var document in Documents)
        {
            foreach (var (target, tag) in DockerBuilds(Repository.Read(document)))
            {
                Assert.Contains(_dockerfile.Stages, s => s.Name == target);
                Assert.True(tag.EndsWith("-" + target, StringComparison.Ordinal), $"{document}: the image of target {target} is tagged {tag}; the chart expects <tag>-{target}");
            }
        }
    }

    [Fact]
    public void DockerRunLinesPublishTheServicePort()
    {
        var port = new Uri(DefaultUrl.Url).Port;
        var runs = Documents.SelectMany(d => Commands(Repository.Read(d))).Where(c => c.StartsWith("docker run", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(runs);
        foreach (var run in runs)
        {
            foreach (Match published in PublishedPort().Matches(run))
            {
                Assert.Equal(port, int.Parse(published.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public void HelmSetFlagsAndValuesExamplesNameExistingValuesAndRender()
    {
        var values = _chart.DefaultValues();
        var sets = Documents.SelectMany(d => SetFlag().Matches(Repository.Read(d)).Select(m => (d, m.Groups[1].Value))).ToList();

        Assert.Contains(sets, s => s.Item2 == "gpu.enabled");
        Assert.All(sets, s => Assert.True(Declared(values, s.Item2), $"{s.Item1}: --set {s.Item2} names no value of the chart"));

        var examples = YamlBlock().Matches(Repository.Read("helm/hypersphere/README.md")).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            foreach (var path in LeafPaths(HelmYaml.LoadMap(example, helmNumbers: true), string.Empty))
            {
                Assert.True(Declared(values, path), $"helm/hypersphere/README.md example sets {path}, which values.yaml lacks");
            }

            Assert.NotEmpty(_chart.Render(example).Manifests);
        }
    }

    [Fact]
    public void TheDeploymentNotesQuoteTheServicePublishCommandOfTheDockerfile()
    {
        Assert.Contains(DockerfileTests.ServicePublish, Repository.Read("docs", "deployment.md"), StringComparison.Ordinal);
    }

    // Shell commands in fenced blocks, continuation lines joined.
    private static IEnumerable<string> Commands(string markdown)
    {
        foreach (Match block in ShellBlock().Matches(markdown))
        {
            var joined = Regex.Replace(block.Groups[1].Value, @"\\\r?\n\s*", " ");
            foreach (var line in joined.Split('\n'))
            {
                var command = line.Trim();
                if (command.Length > 0 && !command.StartsWith('#'))
                {
                    yield return command;
                }
            }
        }
    }

    private static IEnumerable<(string Target, string Tag)> DockerBuilds(string markdown) =>
        Commands(markdown).Where(c => c.StartsWith("docker build", StringComparison.Ordinal)).Select(c =>
        {
            var target = BuildTarget().Match(c) is { Success: true } t ? t.Groups[1].Value : Dockerfile.Load().Default.Name;
            return (target, BuildTag().Match(c).Groups[1].Value);
        });

    private static IEnumerable<string> LeafPaths(IDictionary<string, object?> map, string prefix)
    {
        foreach (var (key, value) in map)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is IDictionary<string, object?> inner && inner.Count > 0)
            {
                foreach (var leaf in LeafPaths(inner, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    // The path is in values.yaml, or lies below a map that values.yaml leaves empty for the user (labels, selectors).
    private static bool Declared(IDictionary<string, object?> values, string path)
    {
        object? current = values;
        foreach (var part in path.Split('.'))
        {
            if (current is IDictionary<string, object?> { Count: 0 })
            {
                return true;
            }

            if (current is not IDictionary<string, object?> map || !map.TryGetValue(part, out current))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"```(?:sh|bash)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"--target\s+(\S+)")]
    private static partial Regex BuildTarget();

    [GeneratedRegex(@"-t\s+\S+?:(\S+)")]
    private static partial Regex BuildTag();

    [GeneratedRegex(@"-p\s+(?:\S+:)?\d+:(\d+)")]
    private static partial Regex PublishedPort();

    [GeneratedRegex(@"--set\s+([A-Za-z0-9_.]+)=")]
    private static partial Regex SetFlag();
}
