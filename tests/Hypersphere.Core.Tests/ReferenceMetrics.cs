namespace Hypersphere.Core.Tests;

/// <summary>
/// Plain, obviously-correct O(N²d) implementations of the metrics, written from the formulas in
/// docs/architecture.md §1 and sharing no code with src: the independent second implementation the tests
/// compare against.
/// </summary>
internal static class ReferenceMetrics
{
    /// <summary>log of the mean over i &lt; j of exp(−t‖xᵢ − xⱼ‖²), distances from differences, summed as log-sum-exp.</summary>
    public static double Uniformity(double[] x, int n, int dim, double t)
    {
        var exponents = new List<double>(n * (n - 1) / 2);
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var d2 = 0.0;
                for (var k = 0; k < dim; k++)
                {
                    var diff = x[(i * dim) + k] - x[(j * dim) + k];
                    d2 += diff * diff;
                }

                exponents.Add(-t * d2);
            }
        }

        var max = exponents.Max();
        var sum = exponents.Sum(e => Math.Exp(e - max));
        return max + Math.Log(sum) - Math.Log(exponents.Count);
    }

    /// <summary>Mean over rows of ‖xᵢ − yᵢ‖^α.</summary>
    public static double Alignment(double[] x, double[] y, int n, int dim, double alpha)
    {
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var d2 = 0.0;
            for (var k = 0; k < dim; k++)
            {
                var diff = x[(i * dim) + k] - y[(i * dim) + k];
                d2 += diff * diff;
            }

            sum += Math.Pow(Math.Sqrt(d2), alpha);
        }

        return sum / n;
    }

    /// <summary>Mean of the cosine xᵢ·xⱼ/(‖xᵢ‖‖xⱼ‖) over all pairs i &lt; j.</summary>
    public static double MeanCosine(double[] x, int n, int dim)
    {
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var a = x.AsSpan(i * dim, dim);
            for (var j = i + 1; j < n; j++)
            {
                var b = x.AsSpan(j * dim, dim);
                sum += TestMatrices.Dot(a, b) / Math.Sqrt(TestMatrices.Dot(a, a) * TestMatrices.Dot(b, b));
            }
        }

        return sum / (n * (n - 1) / 2.0);
    }

    /// <summary>Per-column sample standard deviation (two passes), averaged over columns, times √d.</summary>
    public static double StdTimesSqrtDim(double[] x, int n, int dim)
    {
        var total = 0.0;
        for (var k = 0; k < dim; k++)
        {
            var mean = 0.0;
            for (var i = 0; i < n; i++)
            {
                mean += x[(i * dim) + k];
            }

            mean /= n;
            var squares = 0.0;
            for (var i = 0; i < n; i++)
            {
                var dev = x[(i * dim) + k] - mean;
                squares += dev * dev;
            }

            total += Math.Sqrt(squares / (n - 1));
        }

        return total / dim * Math.Sqrt(dim);
    }

    /// <summary>RankMe from the min(N, d) singular values of X, found as √eigenvalues of XᵀX by Jacobi rotations.</summary>
    public static double RankMe(double[] x, int n, int dim, double epsilon)
    {
        var gram = new double[dim, dim];
        for (var a = 0; a < dim; a++)
        {
            for (var b = 0; b < dim; b++)
            {
                var sum = 0.0;
                for (var i = 0; i < n; i++)
                {
                    sum += x[(i * dim) + a] * x[(i * dim) + b];
                }

                gram[a, b] = sum;
            }
        }

        var sigma = JacobiEigenvalues(gram)
            .OrderDescending()
            .Take(Math.Min(n, dim))
            .Select(l => Math.Sqrt(Math.Max(0, l)))
            .ToArray();
        var total = sigma.Sum();
        var entropy = 0.0;
        foreach (var s in sigma)
        {
            var p = (s / total) + epsilon;
            entropy -= p * Math.Log(p);
        }

        return Math.Exp(entropy);
    }

    /// <summary>Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (the matrix is overwritten).</summary>
    public static double[] JacobiEigenvalues(double[,] a)
    {
        var size = a.GetLength(0);
        for (var sweep = 0; sweep < 100; sweep++)
        {
            var off = 0.0;
            var diagonal = 0.0;
            for (var p = 0; p < size; p++)
            {
                diagonal += a[p, p] * a[p, p];
                for (var q = p + 1; q < size; q++)
                {
                    off += a[p, q] * a[p, q];
                }
            }

            if (off <= 1e-30 * diagonal)
            {
                break;
            }

            for (var p = 0; p < size; p++)
            {
                for (var q = p + 1; q < size; q++)
                {
                    if (a[p, q] == 0)
                    {
                        continue;
                    }

                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < size; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = (c * akp) - (s * akq);
                        a[k, q] = (s * akp) + (c * akq);
                    }

                    for (var k = 0; k < size; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = (c * apk) - (s * aqk);
                        a[q, k] = (s * apk) + (c * aqk);
                    }
                }
            }
        }

        return Enumerable.Range(0, size).Select(i => a[i, i]).ToArray();
    }

    /// <summary>
    /// Leave-one-out k-NN by brute force: sort all other rows by cosine (ties to the lower index);
    /// 5-NN majority with ties to the larger summed similarity; 20-NN vote weighted exp(s / 0.07).
    /// </summary>
    public static (double K5, double K20Weighted) Knn(double[] x, int n, int dim, IReadOnlyList<int> labels) =>
        Knn(x, n, labels, x, n, labels, dim, leaveOneOut: true);

    /// <summary>k-NN of each query among the references, by brute force (k = min(20, candidates)).</summary>
    public static (double K5, double K20Weighted) Knn(
        double[] references, int m, IReadOnlyList<int> referenceLabels, double[] queries, int n, IReadOnlyList<int> queryLabels, int dim, bool leaveOneOut)
    {
        int majorityHits = 0, weightedHits = 0;
        var k = Math.Min(20, leaveOneOut ? m - 1 : m);
        for (var i = 0; i < n; i++)
        {
            var a = queries.AsSpan(i * dim, dim);
            var others = new List<(double S, int J)>();
            for (var j = 0; j < m; j++)
            {
                if (!(leaveOneOut && j == i))
                {
                    others.Add((TestMatrices.Dot(a, references.AsSpan(j * dim, dim)), j));
                }
            }

            var sorted = others.OrderByDescending(o => o.S).ThenBy(o => o.J).ToList();
            var majority = sorted.Take(Math.Min(5, k))
                .GroupBy(o => referenceLabels[o.J])
                .Select(g => (Label: g.Key, Count: g.Count(), Sum: g.Sum(o => o.S)))
                .OrderByDescending(g => g.Count).ThenByDescending(g => g.Sum)
                .First().Label;
            var weighted = sorted.Take(k)
                .GroupBy(o => referenceLabels[o.J])
                .Select(g => (Label: g.Key, Weight: g.Sum(o => Math.Exp(o.S / 0.07))))
                .OrderByDescending(g => g.Weight)
                .First().Label;
            majorityHits += majority == queryLabels[i] ? 1 : 0;
            weightedHits += weighted == queryLabels[i] ? 1 : 0;
        }

        return ((double)majorityHits / n, (double)weightedHits / n);
    }
}
