using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>One Kubernetes object of a rendered chart.</summary>
/// <param name="File">The template it came from (e.g. deployment.yaml).</param>
/// <param name="Body">The object, with int64 integers (as the API server reads it).</param>
public sealed record Manifest(string File, SortedDictionary<string, object?> Body)
{
    public string Kind => (string)Body["kind"]!;

    public string Name => (string)Yaml.At(Body, "metadata.name")!;
}

/// <summary>The output of <c>helm template</c>, as far as this subset goes.</summary>
/// <param name="Files">Each template's rendered text.</param>
/// <param name="Manifests">Every object, parsed.</param>
/// <param name="Notes">The rendered NOTES.txt.</param>
/// <param name="Values">The values the chart was rendered with.</param>
public sealed record RenderedChart(
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<Manifest> Manifests,
    string Notes,
    SortedDictionary<string, object?> Values)
{
    public Manifest One(string kind) => Assert.Single(Manifests, m => m.Kind == kind);

    /// <summary>The one object of <paramref name="kind"/> that <paramref name="file"/> renders (where other templates render that kind too).</summary>
    public Manifest One(string kind, string file) => Assert.Single(Manifests, m => m.Kind == kind && m.File == file);

    public IEnumerable<Manifest> OfKind(string kind) => Manifests.Where(m => m.Kind == kind);
}

/// <summary>Loads helm/hypersphere and renders it like <c>helm template</c> with extra values.</summary>
public sealed partial class HelmChart
{
    public const string ReleaseName = "demo";
    public const string Namespace = "ml";

    private HelmChart(string directory)
    {
        Directory = directory;
        ChartYaml = HelmYaml.LoadMap(File.ReadAllText(Path.Combine(directory, "Chart.yaml")), helmNumbers: false);
        ValuesText = File.ReadAllText(Path.Combine(directory, "values.yaml"));
        TemplateFiles = System.IO.Directory.GetFiles(Path.Combine(directory, "templates"))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToArray()!;
    }

    public string Directory { get; }

    public SortedDictionary<string, object?> ChartYaml { get; }

    public string ValuesText { get; }

    /// <summary>File names under templates/.</summary>
    public IReadOnlyList<string> TemplateFiles { get; }

    public string Name => (string)ChartYaml["name"]!;

    public static HelmChart Load() => new(Path.Combine(Repository.Root, "helm", "hypersphere"));

    /// <summary>values.yaml as Helm reads it (numbers are float64).</summary>
    public SortedDictionary<string, object?> DefaultValues() => HelmYaml.LoadMap(ValuesText, helmNumbers: true);

    public string TemplateText(string file) => File.ReadAllText(Path.Combine(Directory, "templates", file));

    /// <summary>Renders every template with values.yaml overlaid by <paramref name="overrides"/> (YAML, like <c>-f</c>).</summary>
    public RenderedChart Render(string overrides = "")
    {
        var values = DefaultValues();
        HelmYaml.MergeInto(values, HelmYaml.LoadMap(overrides, helmNumbers: true));

        var engine = new TemplateEngine();
        var basePath = $"{Name}/templates";
        foreach (var file in TemplateFiles)
        {
            engine.Add($"{basePath}/{file}", TemplateText(file));
        }

        var root = GoValues.NewMap();
        root["Values"] = values;
        root["Chart"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = Name,
            ["Version"] = Text(ChartYaml["version"]),
            ["AppVersion"] = Text(ChartYaml["appVersion"]),
        };
        root["Release"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = ReleaseName,
            ["Namespace"] = Namespace,
            ["Service"] = "Helm",
            ["Revision"] = 1L,
            ["IsInstall"] = true,
            ["IsUpgrade"] = false,
        };
        root["Files"] = new ChartFiles(Directory);
        root["Template"] = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["BasePath"] = basePath, ["Name"] = string.Empty };

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var manifests = new List<Manifest>();
        var notes = string.Empty;
        foreach (var file in TemplateFiles)
        {
            var text = engine.Execute($"{basePath}/{file}", root);
            if (file.StartsWith('_'))
            {
                continue; // helpers: only their defines count
            }

            files[file] = text;
            if (file == "NOTES.txt")
            {
                notes = text;
                continue;
            }

            List<object?> documents;
            try
            {
                documents = HelmYaml.Load(text, helmNumbers: false);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new TemplateException($"{file} rendered invalid YAML ({e.Message}, at {e.Start}):\n{text}");
            }

            foreach (var document in documents)
            {
                if (document is null)
                {
                    continue;
                }

                var manifest = document as SortedDictionary<string, object?> ?? throw new InvalidDataException($"{file} rendered a document that is not a map");
                manifests.Add(new Manifest(file, manifest));
            }
        }

        return new RenderedChart(files, manifests, notes, values);
    }

    /// <summary>Every <c>.Values.a.b</c> path the template files read (also through <c>$.Values</c>).</summary>
    public IEnumerable<(string File, string Path)> ValuePathsUsed() =>
        TemplateFiles.SelectMany(file => ValuesPath().Matches(TemplateText(file)).Select(m => (file, m.Groups[1].Value)));

    private static string Text(object? value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => GoValues.FormatFloat(d),
        _ => throw new InvalidDataException("Chart.yaml: version and appVersion must be set"),
    };

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesPath();
}

/// <summary>Reading paths such as <c>spec.template.spec.containers[0].image</c> in parsed YAML.</summary>
public static class Yaml
{
    public static object? At(object? root, string path)
    {
        var value = root;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = part[..bracket];
                index = int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture);
            }

            if (name.Length > 0)
            {
                if (value is not IDictionary<string, object?> map || !map.TryGetValue(name, out value))
                {
                    return null;
                }
            }

            if (index >= 0)
            {
                if (value is not IList list || index >= list.Count)
                {
                    return null;
                }

                value = list[index];
            }
        }

        return value;
    }

    public static IDictionary<string, object?> Map(object? root, string path) =>
        At(root, path) as IDictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"{path} is not a map in the rendered object");

    public static IList List(object? root, string path) =>
        At(root, path) as IList ?? throw new Xunit.Sdk.XunitException($"{path} is not a list in the rendered object");

    /// <summary>The element of a list of maps whose <c>name</c> is <paramref name="name"/>.</summary>
    public static IDictionary<string, object?> Named(IList list, string name) =>
        list.OfType<IDictionary<string, object?>>().SingleOrDefault(e => e.TryGetValue("name", out var n) && (string?)n == name)
        ?? throw new Xunit.Sdk.XunitException($"no element named '{name}'");
}
