using Hypersphere.Reports;

namespace Hypersphere.Service.Api;

/// <summary>Draws the served models' alignment–uniformity plane with Reports' figure.</summary>
internal static class ModelsPlaneFigure
{
    /// <summary>The plane of <paramref name="points"/> (the cards' held-out scores, α = 2) as a standalone SVG document.</summary>
    public static string Draw(IReadOnlyList<PlanePoint> points, int dim, double t) =>
        ReportFigures.AlignmentUniformityPlane(points, dim, t, n: null, alpha: 2, accuracyName: "linear-probe accuracy (output)").Svg;
}
