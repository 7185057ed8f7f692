using System.Text.RegularExpressions;

namespace Hypersphere.Deployment.Tests.Docker;

/// <summary>One instruction, continuation lines joined.</summary>
/// <param name="Keyword">Upper-case instruction (RUN, COPY, …).</param>
/// <param name="Arguments">The rest of the instruction, on one line.</param>
/// <param name="Line">Its first line in the file.</param>
public sealed record Instruction(string Keyword, string Arguments, int Line);

/// <summary>A build stage: <c>FROM image AS name</c> and its instructions.</summary>
/// <param name="Name">The stage name (lower case), or its index when unnamed.</param>
/// <param name="Base">The base image or stage, with global ARG defaults substituted.</param>
public sealed record Stage(string Name, string Base, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>The environment the stage sets (ENV K=V …), later values winning.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in All("ENV"))
        {
            foreach (Match pair in DockerfileSyntax.EnvPair().Matches(instruction.Arguments))
            {
                environment[pair.Groups["key"].Value] = pair.Groups["value"].Value.Trim('"');
            }
        }

        return environment;
    }

    /// <summary>COPY instructions as (flags, sources, destination).</summary>
    public IEnumerable<CopyInstruction> Copies() => All("COPY").Select(CopyInstruction.Parse);
}

/// <summary>A parsed COPY: <c>--from</c> (null for the build context), sources, destination.</summary>
public sealed record CopyInstruction(string? From, IReadOnlyList<string> Sources, string Destination, int Line)
{
    public static CopyInstruction Parse(Instruction instruction)
    {
        var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? from = null;
        var rest = new List<string>();
        foreach (var word in words)
        {
            if (word.StartsWith("--from=", StringComparison.Ordinal))
            {
                from = word["--from=".Length..];
            }
            else if (word.StartsWith("--", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"Dockerfile:{instruction.Line}: COPY flag {word} is not understood by these checks");
            }
            else
            {
                rest.Add(word);
            }
        }

        return new CopyInstruction(from, rest[..^1], rest[^1], instruction.Line);
    }
}

/// <summary>The repository's Dockerfile, parsed enough to check it and replay its SDK stages.</summary>
public sealed class Dockerfile
{
    private Dockerfile(IReadOnlyDictionary<string, string> arguments, IReadOnlyList<Stage> stages)
    {
        GlobalArguments = arguments;
        Stages = stages;
    }

    /// <summary>ARGs before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The stage <c>docker build .</c> builds: the last one.</summary>
    public Stage Default => Stages[^1];

    public Stage this[string name] => Stages.SingleOrDefault(s => s.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"the Dockerfile has no stage named '{name}' (it has {string.Join(", ", Stages.Select(s => s.Name))})");

    public static Dockerfile Load() => Parse(Repository.Read("Dockerfile"));

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var first = i + 1;
            var joined = line.TrimEnd();
            while (joined.EndsWith('\\') && i + 1 < lines.Length)
            {
                joined = joined[..^1];
                var next = lines[++i].TrimEnd('\r');
                if (!next.TrimStart().StartsWith('#'))
                {
                    joined += " " + next.Trim();
                }

                joined = joined.TrimEnd();
            }

            var space = joined.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? joined : joined[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : DockerfileSyntax.Spaces().Replace(joined[(space + 1)..].Trim(), " ");
            instructions.Add(new Instruction(keyword, arguments, first));
        }

        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        string? name = null;
        string? image = null;
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is not null)
                {
                    stages.Add(new Stage(name!, image!, current));
                }

                var match = DockerfileSyntax.From().Match(instruction.Arguments);
                if (!match.Success)
                {
                    throw new InvalidDataException($"Dockerfile:{instruction.Line}: FROM {instruction.Arguments} is not understood");
                }

                image = DockerfileSyntax.Variable().Replace(match.Groups["image"].Value, m => globals.GetValueOrDefault(m.Groups["name"].Value, string.Empty));
                name = match.Groups["name"].Success ? match.Groups["name"].Value.ToLowerInvariant() : stages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                current = [];
            }
            else if (current is null)
            {
                if (instruction.Keyword == "ARG")
                {
                    var parts = instruction.Arguments.Split('=', 2);
                    globals[parts[0]] = parts.Length > 1 ? parts[1] : string.Empty;
                }
            }
            else
            {
                current.Add(instruction);
            }
        }

        if (current is not null)
        {
            stages.Add(new Stage(name!, image!, current));
        }

        return new Dockerfile(globals, stages);
    }
}

/// <summary>Patterns for Dockerfile syntax.</summary>
internal static partial class DockerfileSyntax
{
    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    internal static partial Regex From();

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    internal static partial Regex Variable();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)")]
    internal static partial Regex EnvPair();

    [GeneratedRegex(@"\s+")]
    internal static partial Regex Spaces();
}
