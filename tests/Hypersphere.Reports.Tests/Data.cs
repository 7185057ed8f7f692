using System.Xml.Linq;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;

namespace Hypersphere.Reports.Tests;

/// <summary>Seeded inputs made here (not with the code under test) and shared checks.</summary>
internal static class Data
{
    public const string Hostile = "<script>alert(1)</script>\"&'";

    /// <summary>A standard normal sample (Marsaglia's polar method).</summary>
    public static double Gaussian(Random random)
    {
        double u, v, s;
        do
        {
            u = (2 * random.NextDouble()) - 1;
            v = (2 * random.NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        return u * Math.Sqrt(-2 * Math.Log(s) / s);
    }

    /// <summary>N rows uniform on S^{d−1}.</summary>
    public static double[] UnitRows(int n, int dim, Random random)
    {
        var values = new double[n * dim];
        for (var i = 0; i < n; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < dim; k++)
            {
                values[(i * dim) + k] = Gaussian(random);
                norm += values[(i * dim) + k] * values[(i * dim) + k];
            }

            norm = Math.Sqrt(norm);
            for (var k = 0; k < dim; k++)
            {
                values[(i * dim) + k] /= norm;
            }
        }

        return values;
    }

    /// <summary>Rows of x moved by noise and renormalised: positives near their anchors.</summary>
    public static double[] Noisy(double[] x, int dim, double noise, Random random)
    {
        var y = (double[])x.Clone();
        for (var i = 0; i < y.Length / dim; i++)
        {
            var norm = 0.0;
            for (var k = 0; k < dim; k++)
            {
                y[(i * dim) + k] += noise * Gaussian(random);
                norm += y[(i * dim) + k] * y[(i * dim) + k];
            }

            norm = Math.Sqrt(norm);
            for (var k = 0; k < dim; k++)
            {
                y[(i * dim) + k] /= norm;
            }
        }

        return y;
    }

    public static EmbeddingMatrix Matrix(double[] values, int dim) => EmbeddingMatrix.Create(values, values.Length / dim, dim, normalize: false);

    /// <summary>An audit input with positives and labels (the hostile label among them) and its Core report.</summary>
    public static AuditInput Audit(int n, int dim, bool positives = true, bool labels = true, int seed = 1, string title = "Audit", SamplingOptions? sampling = null)
    {
        var random = new Random(seed);
        var xv = UnitRows(n, dim, random);
        var x = Matrix(xv, dim);
        var y = positives ? Matrix(Noisy(xv, dim, 0.2, random), dim) : null;
        var names = labels ? Enumerable.Range(0, n).Select(i => i % 4 == 3 ? Hostile : "class " + (i % 4)).ToArray() : null;
        var report = QualityAnalyzer.Analyze(x, y, names is null ? null : LabelSet.ToIds(names), new QualityOptions(Sampling: sampling));
        return new AuditInput(x, y, names, report, title, ["embeddings.npy", "<b>positives</b>.npy"]);
    }

    /// <summary>The SVG parsed as XML, with at least one path that has drawing commands.</summary>
    public static XDocument AssertDrawnSvg(string svg)
    {
        var document = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", document.Root!.Name);
        var paths = document.Descendants(ns + "path").Select(p => (string?)p.Attribute("d") ?? string.Empty).ToList();
        Assert.NotEmpty(paths);
        Assert.Contains(paths, d => d.Contains('M') && d.Trim().Length > 10);
        return document;
    }

    /// <summary>All text of the SVG's &lt;text&gt; elements, unescaped by the XML parser.</summary>
    public static string SvgText(XDocument svg) =>
        string.Join("\n", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()));
}
