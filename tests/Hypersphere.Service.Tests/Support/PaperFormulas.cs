namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// L_align (α = 2) and L_uniform (t = 2) as Wang &amp; Isola write them, in plain float64 loops over float32 rows
/// (N rows of d values, row after row): the independent reference the service's numbers are checked against.
/// </summary>
public static class PaperFormulas
{
    /// <summary>mean_i ‖xᵢ − yᵢ‖².</summary>
    public static double Alignment(float[] x, float[] y, int n, int d)
    {
        double alignment = 0;
        for (var i = 0; i < n; i++)
        {
            alignment += SquaredDistance(x, i, y, i, d);
        }

        return alignment / n;
    }

    /// <summary>log mean_{i&lt;j} exp(−2‖xᵢ − xⱼ‖²).</summary>
    public static double Uniformity(float[] x, int n, int d)
    {
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                sum += Math.Exp(-2 * SquaredDistance(x, i, x, j, d));
            }
        }

        return Math.Log(sum / ((double)n * (n - 1) / 2));
    }

    private static double SquaredDistance(float[] x, int i, float[] y, int j, int d)
    {
        double squared = 0;
        for (var k = 0; k < d; k++)
        {
            var diff = (double)x[(i * d) + k] - y[(j * d) + k];
            squared += diff * diff;
        }

        return squared;
    }
}
