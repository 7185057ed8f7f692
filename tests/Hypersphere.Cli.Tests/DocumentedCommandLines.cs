using System.Text.RegularExpressions;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// The <c>hypersphere</c> command lines that README.md and docs/*.md give, as argument lists: lines of fenced
/// blocks and inline code that start with <c>hypersphere </c>, the arguments after
/// <c>--project src/Hypersphere.Cli --</c>, and those after the trainer image (<c>hypersphere:&lt;tag&gt;-trainer</c>),
/// whose entry point is the CLI. Usage synopses are expanded: brackets are dropped and each
/// <c>a|b|c</c> alternative gives a line of its own.
/// </summary>
internal static partial class DocumentedCommandLines
{
    /// <summary>One documented use of the CLI: where it is, the text as written, and one argument list it stands for.</summary>
    public sealed record CommandLine(string Document, int Line, string Text, string[] Arguments)
    {
        /// <summary>A mention such as <c>hypersphere embed</c> in prose: it names a verb and gives no option.</summary>
        public bool IsVerbMention => !Arguments.Any(a => a.StartsWith('-'));

        public override string ToString() => $"{Document}:{Line}: {Text}";
    }

    /// <summary>README.md and every Markdown file of docs/, relative to the repository root.</summary>
    public static IEnumerable<string> Documents() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Repository.PathOf("docs"), "*.md")
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    /// <summary>The command lines of <paramref name="markdown"/>, reported as found in <paramref name="document"/>.</summary>
    public static IEnumerable<CommandLine> In(string document, string markdown)
    {
        foreach (var (line, code) in CodeTexts(markdown))
        {
            foreach (var arguments in CliArguments(code))
            {
                foreach (var expanded in Expand(arguments))
                {
                    yield return new CommandLine(document, line, code, expanded);
                }
            }
        }
    }

    // Each line of a fenced block (continuations joined, comments cut) and each inline code span, with its line number.
    private static IEnumerable<(int Line, string Code)> CodeTexts(string markdown)
    {
        var lines = markdown.Split('\n');
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].TrimEnd('\r');
            if (text.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced)
            {
                foreach (Match span in InlineCode().Matches(text))
                {
                    yield return (i + 1, span.Groups[1].Value.Trim());
                }

                continue;
            }

            var first = i;
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                text = text[..^1] + " " + lines[++i].TrimEnd('\r').Trim();
            }

            yield return (first + 1, TrailingComment().Replace(text, string.Empty).Trim());
        }
    }

    // The CLI's arguments in one piece of code, if it runs the CLI.
    private static IEnumerable<string[]> CliArguments(string code)
    {
        foreach (var pattern in new[] { DirectCall(), DotnetRun(), TrainerImage() })
        {
            var match = pattern.Match(code);
            if (match.Success)
            {
                yield return match.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    // Synopsis notation: "[--resume]" is the option, "linear|knn|all" is each value in turn, "…" stands for any.
    private static IEnumerable<string[]> Expand(string[] arguments)
    {
        var plain = arguments.Select(a => a.Trim('[', ']')).Where(a => a.Length > 0 && a is not ("…" or "...")).ToArray();
        if (plain.Length == 0)
        {
            yield break;
        }

        var first = plain.Select(a => a.Split('|')[0]).ToArray();
        yield return first;
        for (var i = 0; i < plain.Length; i++)
        {
            foreach (var alternative in plain[i].Split('|').Skip(1))
            {
                var variant = (string[])first.Clone();
                variant[i] = alternative;
                yield return variant;
            }
        }
    }

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex(@"^(?:\$\s+)?hypersphere\s+(?<args>[^;&""]*?)\s*$")]
    private static partial Regex DirectCall();

    [GeneratedRegex(@"dotnet run\b.*--project\s+src/Hypersphere\.Cli\s+--\s+(?<args>[^;&""]*)")]
    private static partial Regex DotnetRun();

    [GeneratedRegex(@"^docker run\b.*\shypersphere:\S+-trainer\s+(?<args>[^;&""]*)")]
    private static partial Regex TrainerImage();
}
