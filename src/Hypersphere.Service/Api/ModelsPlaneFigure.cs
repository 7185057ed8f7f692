using Hypersphere.Reports;

namespace Hypersphere.Service.Api;

/// <summary>Draws the served models' alignment–uniformity plane with Reports' figure.</summary>
internal static class ModelsPlaneFigure
{
    /// <summary>The plane of <paramref name="points"/> as SVG text.</summary>
    public static string Draw(IReadOnlyList<PlanePoint> points, int dim, double t)
    {
        // Placeholder until Reports' ReportFigures.AlignmentUniformityPlane lands (branch figures).
        _ = dim;
        _ = t;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><path d=\"M0 0 L10 10\" stroke=\"black\"/>" + points.Count + "</svg>";
    }
}
