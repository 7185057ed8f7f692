using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// YAML in and out as Helm and Kubernetes handle it (YAML 1.1 scalars, go-yaml's output layout), over the plain
/// value model of <see cref="GoValues"/>: sorted maps, lists and scalars.
/// </summary>
public static partial class HelmYaml
{
    /// <summary>
    /// Reads YAML documents. With <paramref name="helmNumbers"/> every number becomes a float64, as Helm's values
    /// (read through JSON) are; otherwise integers stay int64, as in a manifest the API server reads.
    /// </summary>
    public static List<object?> Load(string text, bool helmNumbers)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => Convert(d.RootNode, helmNumbers)).ToList();
    }

    /// <summary>One document; an empty text is an empty map (as an empty values.yaml is).</summary>
    public static SortedDictionary<string, object?> LoadMap(string text, bool helmNumbers)
    {
        var documents = Load(text, helmNumbers);
        return documents.Count == 0 || documents[0] is null
            ? GoValues.NewMap()
            : documents[0] as SortedDictionary<string, object?> ?? throw new InvalidDataException("the YAML document is not a map");
    }

    /// <summary>Helm's value coalescing: maps merge recursively, anything else replaces, null deletes.</summary>
    public static void MergeInto(IDictionary<string, object?> target, IDictionary<string, object?> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is IDictionary<string, object?> inner && target.TryGetValue(key, out var existing) && existing is IDictionary<string, object?> current)
            {
                MergeInto(current, inner);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    /// <summary>Helm's <c>toYaml</c>: keys sorted, sequences not indented under their key, no trailing newline.</summary>
    public static string ToYaml(object? value)
    {
        var lines = new List<string>();
        switch (value)
        {
            case IDictionary<string, object?> { Count: > 0 } map:
                EmitMap(map, 0, lines);
                break;
            case IList { Count: > 0 } list:
                EmitList(list, 0, lines);
                break;
            default:
                lines.Add(Scalar(value));
                break;
        }

        return string.Join("\n", lines);
    }

    private static void EmitMap(IDictionary<string, object?> map, int indent, List<string> lines)
    {
        var pad = new string(' ', indent);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            switch (value)
            {
                case IDictionary<string, object?> { Count: > 0 } inner:
                    lines.Add($"{pad}{Scalar(key)}:");
                    EmitMap(inner, indent + 2, lines);
                    break;
                case IList { Count: > 0 } list:
                    lines.Add($"{pad}{Scalar(key)}:");
                    EmitList(list, indent, lines);
                    break;
                default:
                    lines.Add($"{pad}{Scalar(key)}: {Scalar(value)}");
                    break;
            }
        }
    }

    private static void EmitList(IList list, int indent, List<string> lines)
    {
        var pad = new string(' ', indent);
        foreach (var item in list)
        {
            if (item is IDictionary<string, object?> { Count: > 0 } or IList { Count: > 0 })
            {
                var block = new List<string>();
                if (item is IDictionary<string, object?> map)
                {
                    EmitMap(map, indent + 2, block);
                }
                else
                {
                    EmitList((IList)item, indent + 2, block);
                }

                block[0] = pad + "- " + block[0][(indent + 2)..];
                lines.AddRange(block);
            }
            else
            {
                lines.Add($"{pad}- {Scalar(item)}");
            }
        }
    }

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => GoValues.FormatJsonNumber(d),
        string s => NeedsQuotes(s) ? JsonQuote(s) : s,
        IDictionary<string, object?> => "{}",
        IList => "[]",
        _ => throw new InvalidOperationException($"toYaml of {value.GetType().Name}"),
    };

    private static bool NeedsQuotes(string text) =>
        text.Length == 0 || !PlainSafe().IsMatch(text) || ResolvesToNonString(text);

    private static string JsonQuote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Whether a plain scalar means something other than a string in YAML 1.1 (what Helm and Kubernetes read).</summary>
    public static bool ResolvesToNonString(string text) =>
        YamlOneOneNull().IsMatch(text) || YamlOneOneBool().IsMatch(text) || YamlOneOneInt().IsMatch(text) || YamlOneOneFloat().IsMatch(text)
        || YamlSpecialFloat().IsMatch(text);

    private static object? Convert(YamlNode node, bool helmNumbers)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                {
                    var map = GoValues.NewMap();
                    foreach (var (key, value) in mapping.Children)
                    {
                        var name = ((YamlScalarNode)key).Value ?? string.Empty;
                        if (!map.TryAdd(name, Convert(value, helmNumbers)))
                        {
                            throw new InvalidDataException($"duplicate key '{name}' at {key.Start}");
                        }
                    }

                    return map;
                }

            case YamlSequenceNode sequence:
                return sequence.Children.Select(c => Convert(c, helmNumbers)).ToList();
            case YamlScalarNode scalar:
                return scalar.Style is YamlDotNet.Core.ScalarStyle.Plain ? Resolve(scalar.Value ?? string.Empty, helmNumbers) : scalar.Value ?? string.Empty;
            default:
                throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start}");
        }
    }

    private static object? Resolve(string text, bool helmNumbers)
    {
        if (text.Length == 0 || YamlOneOneNull().IsMatch(text))
        {
            return null;
        }

        if (YamlOneOneBool().IsMatch(text))
        {
            return text.ToUpperInvariant() is "Y" or "YES" or "TRUE" or "ON";
        }

        var clean = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (YamlOneOneInt().IsMatch(text))
        {
            var integer = clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || clean.StartsWith("-0x", StringComparison.OrdinalIgnoreCase)
                ? System.Convert.ToInt64(clean.Replace("0x", string.Empty, StringComparison.OrdinalIgnoreCase), 16)
                : long.Parse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return helmNumbers ? (object)(double)integer : integer;
        }

        if (YamlOneOneFloat().IsMatch(text))
        {
            return double.Parse(clean, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return text;
    }

    [GeneratedRegex("^[A-Za-z0-9_./][A-Za-z0-9_./=@+-]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex("^(~|null|Null|NULL)$")]
    private static partial Regex YamlOneOneNull();

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex YamlOneOneBool();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex YamlSpecialFloat();

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+)$")]
    private static partial Regex YamlOneOneInt();

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)([eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")]
    private static partial Regex YamlOneOneFloat();
}
