namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>A value with methods a template calls (<c>{{ .Files.Get "a.json" }}</c>), as Go templates call a struct's methods.</summary>
public interface ITemplateMethods
{
    /// <summary>Calls <paramref name="method"/>; <paramref name="where"/> names the template and line for errors.</summary>
    object? Invoke(string method, IReadOnlyList<object?> arguments, string where);
}

/// <summary>
/// Helm's <c>.Files</c>: the chart's files other than Chart.yaml, values.yaml, values.schema.json, templates/ and
/// charts/, by their path in the chart. Only <c>Get</c> is offered. Stricter than Helm on purpose: a file that is
/// not there is an error (Helm renders an empty string, which would ship an empty dashboard).
/// </summary>
public sealed class ChartFiles(string chartDirectory) : ITemplateMethods
{
    private static readonly string[] NotFiles = ["Chart.yaml", "values.yaml", "values.schema.json"];
    private static readonly string[] NotFolders = ["templates/", "charts/"];

    public object? Invoke(string method, IReadOnlyList<object?> arguments, string where)
    {
        if (method != "Get")
        {
            throw new TemplateException($"{where}: .Files.{method} is not supported by these checks (add it to ChartFiles if Helm has it)");
        }

        if (arguments is not [string name])
        {
            throw new TemplateException($"{where}: .Files.Get needs one string argument, got {arguments.Count}");
        }

        if (NotFiles.Contains(name, StringComparer.Ordinal) || NotFolders.Any(f => name.StartsWith(f, StringComparison.Ordinal)))
        {
            throw new TemplateException($"{where}: .Files.Get \"{name}\": Helm keeps {name} out of .Files");
        }

        var full = Path.GetFullPath(Path.Combine(chartDirectory, name));
        var root = Path.GetFullPath(chartDirectory) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal) || !File.Exists(full))
        {
            throw new TemplateException($"{where}: .Files.Get \"{name}\": no such file in the chart (Helm would render an empty string)");
        }

        return File.ReadAllText(full);
    }
}
