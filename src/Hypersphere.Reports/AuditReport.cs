using Hypersphere.Core.Quality;

namespace Hypersphere.Reports;

/// <summary>A built audit: the numbers, the figures, and the HTML page showing both.</summary>
/// <param name="Report">Core's report (the JSON is <see cref="QualityJson.Serialize"/> of it).</param>
/// <param name="Figures">The figures, in the order the page shows them.</param>
/// <param name="Html">One self-contained HTML document: inline SVG and CSS, no script, no external fetch.</param>
public sealed record AuditDocument(QualityReport Report, IReadOnlyList<Figure> Figures, string Html)
{
    /// <summary>Exactly what <c>hypersphere quality</c> prints for the same input.</summary>
    public string Json => QualityJson.Serialize(Report);
}

/// <summary>Builds the audit report of one batch of embeddings.</summary>
public static class AuditReport
{
    /// <summary>Draws the figures that apply to <paramref name="input"/> and lays out the page.</summary>
    public static AuditDocument Build(AuditInput input, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= new ReportOptions();
        _ = options;
        // Skeleton: figures and layout come next.
        return new AuditDocument(input.Report, [], "<!DOCTYPE html><html><body><pre>" + System.Net.WebUtility.HtmlEncode(QualityJson.Serialize(input.Report)) + "</pre></body></html>");
    }
}
