using System.CommandLine;
using System.Xml.Linq;
using YamlDotNet.Serialization;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// Every <c>hypersphere …</c> command line in README.md and docs/*.md, and every trainer step of the Helm chart,
/// parses with the CLI's real command tree, so neither can name a verb or an option the CLI lacks. Parsing only:
/// nothing is run.
/// </summary>
public sealed class DocumentedCommandLineTests
{
    // A fresh tree per use: parsing must not depend on what an earlier parse left behind.
    private static RootCommand Root => HypersphereCommand.Create();

    [Fact]
    public void EveryDocumentedCommandLineParsesWithoutErrors()
    {
        var all = DocumentedCommandLines.Documents()
            .SelectMany(d => DocumentedCommandLines.In(d, Repository.Read(d)))
            .ToList();

        // The README's synopsis of each verb, at least, is found.
        foreach (var verb in new[] { "quality", "train", "eval", "export", "embed", "bench" })
        {
            Assert.True(all.Any(l => l.Document == "README.md" && l.Arguments[0] == verb), $"README.md gives no `hypersphere {verb} …` line; found:\n{string.Join('\n', all)}");
        }

        var failures = all
            .Where(l => !l.IsVerbMention)
            .Select(l => (Line: l, Errors: Root.Parse(l.Arguments).Errors))
            .Where(r => r.Errors.Count > 0)
            .Select(r => $"{r.Line} [{string.Join(' ', r.Line.Arguments)}]: {string.Join("; ", r.Errors.Select(e => e.Message))}")
            .ToList();
        Assert.True(failures.Count == 0, "documented command lines the CLI does not accept:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void EveryVerbTheDocumentationMentionsExists()
    {
        var mentions = DocumentedCommandLines.Documents()
            .SelectMany(d => DocumentedCommandLines.In(d, Repository.Read(d)))
            .Where(l => l.IsVerbMention)
            .ToList();

        // A line without options is a verb mention, or a verb with its arguments (`quality merge a.json b.json`), which must then parse.
        Assert.All(mentions, m => Assert.True(Resolves(m.Arguments) || Root.Parse(m.Arguments).Errors.Count == 0, $"{m}: no such command"));
    }

    [Fact]
    public void TheHelmChartsTrainerStepsParse()
    {
        // Each step is a container of the trainer image running `hypersphere <args>` (helm/hypersphere/values.yaml).
        var values = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(Repository.Read("helm", "hypersphere", "values.yaml"));
        var steps = (List<object>)((Dictionary<object, object>)values["trainer"])["steps"];

        Assert.NotEmpty(steps);
        foreach (Dictionary<object, object> step in steps)
        {
            var arguments = ((List<object>)step["args"]).Select(a => (string)a).ToArray();
            var errors = Root.Parse(arguments).Errors;
            Assert.True(errors.Count == 0, $"trainer step {step["name"]} [{string.Join(' ', arguments)}]: {string.Join("; ", errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void TheReadmeInstallsTheCommandAsALinkToTheExecutableTheCliBuildMakes()
    {
        var project = XDocument.Load(Repository.PathOf("src", "Hypersphere.Cli", "Hypersphere.Cli.csproj"));
        var name = project.Descendants("AssemblyName").Single().Value;
        var framework = XDocument.Load(Repository.PathOf("Directory.Build.props")).Descendants("TargetFramework").Single().Value;

        Assert.Equal("hypersphere", name);
        Assert.Equal("true", project.Descendants("UseAppHost").Single().Value);
        Assert.Contains(
            $"dotnet build -c Release src/Hypersphere.Cli && ln -sf \"$PWD/src/Hypersphere.Cli/bin/Release/{framework}/{name}\" /usr/local/bin/{name}",
            Repository.Read("README.md"),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hypersphere quality --embeddings X --no-such-option 1")]
    [InlineData("hypersphere train --out DIR --max-steps K")]
    [InlineData("hypersphere eval --checkpoint DIR --protocol linear|nearest")]
    [InlineData("hypersphere nonexistent --out DIR")]
    public void ALineWithAnUnknownOptionValueOrVerbIsCaught(string text)
    {
        var markdown = $"Usage:\n\n```sh\n{text}\n```\n";

        var lines = DocumentedCommandLines.In("example.md", markdown).ToList();

        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => Root.Parse(l.Arguments).Errors.Count > 0);
    }

    [Fact]
    public void InlineCodeDotnetRunAndTrainerImageLinesAreFoundAndSynopsesExpanded()
    {
        const string markdown = """
            Measure with `hypersphere quality --embeddings e.npy`, or
            `dotnet run -c Release --project src/Hypersphere.Cli -- eval --checkpoint runs/a`; `hypersphere embed` writes .npy.

            ```sh
            docker run --rm hypersphere:0.1.0-trainer \
              train --out /workspace/runs/a   # a comment
            hypersphere bench metrics|train [--threads 2]
            helm install hypersphere helm/hypersphere
            ```
            """;

        var lines = DocumentedCommandLines.In("example.md", markdown).Select(l => string.Join(' ', l.Arguments)).ToList();

        Assert.Equal(
            ["quality --embeddings e.npy", "eval --checkpoint runs/a", "embed", "train --out /workspace/runs/a", "bench metrics --threads 2", "bench train --threads 2"],
            lines);
    }

    private static bool Resolves(string[] verbs)
    {
        Command command = Root;
        foreach (var verb in verbs)
        {
            var next = command.Subcommands.FirstOrDefault(c => c.Name == verb);
            if (next is null)
            {
                return false;
            }

            command = next;
        }

        return true;
    }
}
