using System.Text;
using System.Text.RegularExpressions;

namespace Hypersphere.Deployment.Tests.Docker;

/// <summary>
/// The rules of .dockerignore as BuildKit applies them: patterns in order, the last match wins, <c>!</c> re-includes,
/// and a pattern that matches a folder matches everything below it.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude, string Text)> _rules = [];

    private DockerIgnore(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            _rules.Add((ToRegex(pattern), exclude, line));
        }
    }

    public static DockerIgnore Load() => new(Repository.Read(".dockerignore"));

    /// <summary>Whether the context keeps <paramref name="relativePath"/> (with / separators).</summary>
    public bool Keeps(string relativePath)
    {
        var parts = relativePath.Trim('/').Split('/');
        var kept = true;
        foreach (var (pattern, exclude, _) in _rules)
        {
            for (var n = 1; n <= parts.Length; n++)
            {
                if (pattern.IsMatch(string.Join('/', parts.Take(n))))
                {
                    kept = !exclude;
                    break;
                }
            }
        }

        return kept;
    }

    /// <summary>The files of the repository the build context holds, below <paramref name="relativeFolder"/> ("" for all).</summary>
    public IEnumerable<string> ContextFiles(string relativeFolder)
    {
        var start = Path.Combine(Repository.Root, relativeFolder);
        var pending = new Stack<string>([start]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
            {
                var relative = Path.GetRelativePath(Repository.Root, entry).Replace('\\', '/');
                if (relative == ".git")
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    // Descend unless the folder is excluded and no rule could bring something below it back.
                    if (Keeps(relative) || _rules.Any(r => !r.Exclude && CouldReinclude(r.Text, relative)))
                    {
                        pending.Push(entry);
                    }
                }
                else if (Keeps(relative))
                {
                    yield return relative;
                }
            }
        }
    }

    // A "!pattern" can bring back files below an excluded folder only if it names a path below it or starts with a wildcard.
    private static bool CouldReinclude(string rule, string folder)
    {
        var pattern = rule.TrimStart('!').Trim().Trim('/');
        return pattern.StartsWith('*') || pattern.StartsWith(folder + "/", StringComparison.Ordinal);
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
