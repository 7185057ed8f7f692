using System.Text.Json;
using Hypersphere.Core.Comparison;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Testing;

namespace Hypersphere.Core.Tests;

public sealed class ComparisonTests
{
    // NumPy reference, written from the papers' definitions along other routes than Core's: the N×N Gram
    // matrices throughout, HKH centring for the biased HSIC, Kornblith et al.'s unbiased centring of the Gram
    // (diagonal zeroed, corrected row means) for the unbiased one, and argsort for the neighbours.
    private const string NumpyReference = """
        import sys, json, numpy as np
        X = np.load(sys.argv[1]); Y = np.load(sys.argv[2]); k = int(sys.argv[3]); theta = float(sys.argv[4])
        n = X.shape[0]
        H = np.eye(n) - np.ones((n, n)) / n
        def biased(K, L):
            Kc, Lc = H @ K @ H, H @ L @ H
            return np.sum(Kc * Lc) / np.sqrt(np.sum(Kc * Kc) * np.sum(Lc * Lc))
        def unbiased_centre(G):
            G = G.copy(); np.fill_diagonal(G, 0)
            means = G.sum(0) / (n - 2); means -= means.sum() / (2 * (n - 1))
            G -= means[:, None]; G -= means[None, :]; np.fill_diagonal(G, 0)
            return G
        def debiased(K, L):
            Kc, Lc = unbiased_centre(K), unbiased_centre(L)
            return np.sum(Kc * Lc) / np.sqrt(np.sum(Kc * Kc) * np.sum(Lc * Lc))
        def rbf(Z):
            sq = np.sum((Z[:, None, :] - Z[None, :, :]) ** 2, axis=2)
            med = np.median(sq[np.triu_indices(n, 1)])
            return np.exp(-sq / (2 * theta ** 2 * med))
        def neighbours(Z):
            Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
            S = Z @ Z.T; np.fill_diagonal(S, -np.inf)
            return np.argsort(-S, axis=1, kind='stable')[:, :k]
        na, nb = neighbours(X), neighbours(Y)
        overlap = np.mean([len(set(na[i]) & set(nb[i])) / k for i in range(n)])
        print(json.dumps([biased(X @ X.T, Y @ Y.T), debiased(X @ X.T, Y @ Y.T), biased(rbf(X), rbf(Y)), overlap]))
        """;

    [SkippableFact]
    public void EveryMeasureAgreesWithANumpyImplementationOfThePapers()
    {
        // B is a noisy nonlinear function of A, so every measure lands strictly between 0 and 1.
        var random = new Random(11);
        var a = Gaussian(random, 96, 24);
        var b = new MatrixData(new double[96 * 16], 96, 16);
        for (var i = 0; i < 96; i++)
        {
            for (var c = 0; c < 16; c++)
            {
                b.Values[(i * 16) + c] = Math.Tanh(a.Values[(i * 24) + c] + (0.5 * a.Values[(i * 24) + c + 8])) + (0.7 * Normal(random));
            }
        }

        using var temp = new TempFolder();
        NpyFile.Write(temp.File("a.npy"), a.Values, a.Rows, a.Cols);
        NpyFile.Write(temp.File("b.npy"), b.Values, b.Rows, b.Cols);
        var expected = JsonSerializer.Deserialize<double[]>(NumpyProcess.Run(NumpyReference, temp.File("a.npy"), temp.File("b.npy"), "7", "0.8"))!;

        var report = RepresentationComparison.Compare(a, b, new ComparisonOptions(K: 7, RbfThreshold: 0.8));

        Assert.Equal(expected[0], report.LinearCka!.Value, 1e-9);
        Assert.Equal(expected[1], report.LinearCkaDebiased!.Value, 1e-9);
        Assert.Equal(expected[2], report.RbfCka!.Value, 1e-9);
        Assert.Equal(expected[3], report.MutualKnn, 1e-12);
        Assert.InRange(report.LinearCka!.Value, 0.2, 0.95);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void ARotatedScaledShiftedCopyIsIdenticalToEveryMeasure()
    {
        // CKA is invariant to orthogonal maps, isotropic scaling and translation: CKA(X, s·X·Q + c) = 1.
        var random = new Random(3);
        var x = Gaussian(random, 80, 12);
        var q = RandomOrthogonal(random, 12);
        var y = new MatrixData(new double[80 * 12], 80, 12);
        var shift = Enumerable.Range(0, 12).Select(_ => 5 * Normal(random)).ToArray();
        for (var i = 0; i < 80; i++)
        {
            for (var c = 0; c < 12; c++)
            {
                var sum = 0.0;
                for (var r = 0; r < 12; r++)
                {
                    sum += x.Values[(i * 12) + r] * q[(r * 12) + c];
                }

                y.Values[(i * 12) + c] = (3.5 * sum) + shift[c];
            }
        }

        Assert.Equal(1, Cka.Linear(x, y)!.Value, 1e-12);
        Assert.Equal(1, Cka.LinearDebiased(x, y)!.Value, 1e-12);
        Assert.Equal(1, Cka.Rbf(x, y)!.Value, 1e-12);

        // Cosine neighbours are kept by rotations and scaling (not by translation).
        var rotated = new MatrixData(y.Values.Select((v, i) => v - shift[i % 12]).ToArray(), 80, 12);
        Assert.Equal(1, MutualNeighbours.Overlap(x, rotated, 5), 1e-12);
    }

    [Fact]
    public void IndependentRepresentationsScoreNearZeroDebiasedButNotBiased()
    {
        // n = 64, p = q = 32 independent Gaussians: the population CKA is 0. The biased estimator is far from it
        // at this size; the unbiased HSIC estimator is not (its mean is 0 up to the ratio's small bias).
        var random = new Random(5);
        var biased = new List<double>();
        var debiased = new List<double>();
        for (var s = 0; s < 40; s++)
        {
            var (x, y) = (Gaussian(random, 64, 32), Gaussian(random, 64, 32));
            biased.Add(Cka.Linear(x, y)!.Value);
            debiased.Add(Cka.LinearDebiased(x, y)!.Value);
        }

        var mean = debiased.Average();
        var se = Math.Sqrt(debiased.Sum(v => (v - mean) * (v - mean)) / (debiased.Count - 1) / debiased.Count);
        Assert.True(Math.Abs(mean) < Math.Max(3 * se, 0.005), $"debiased CKA of independent sets averaged {mean} ± {se}");
        Assert.True(biased.Average() > 0.3, $"the biased estimator should be far from 0 at n = 64, p = 32, but averaged {biased.Average()}");
    }

    [Fact]
    public void UnrelatedNeighbourhoodsOverlapAboutByChance()
    {
        // Independent sets: each of B's k neighbours is among A's k with probability k/(N − 1).
        var random = new Random(8);
        var overlap = MutualNeighbours.Overlap(Gaussian(random, 400, 16), Gaussian(random, 400, 16), 10);
        Assert.InRange(overlap, 10.0 / 399 * 0.6, 10.0 / 399 * 1.4);
    }

    [Fact]
    public void RbfBeyondTheCapUsesASeededSampleAndSaysSo()
    {
        var random = new Random(2);
        var a = Gaussian(random, 300, 8);
        var b = new MatrixData(a.Values.Select(v => v + (0.3 * Normal(random))).ToArray(), 300, 8);
        var report = RepresentationComparison.Compare(a, b, new ComparisonOptions(MaxRbfRows: 100, Seed: 4));
        var again = RepresentationComparison.Compare(a, b, new ComparisonOptions(MaxRbfRows: 100, Seed: 4));
        Assert.Equal(100, report.RbfRows);
        Assert.Equal(report.RbfCka, again.RbfCka);
        Assert.Contains(report.Warnings, w => w.Contains("seeded sample of 100 of the 300 rows (seed 4)", StringComparison.Ordinal));
        var full = RepresentationComparison.Compare(a, b);
        Assert.Equal(300, full.RbfRows);
        Assert.Equal(full.RbfCka!.Value, report.RbfCka!.Value, 0.05);
    }

    [Fact]
    public void WideRowsGoThroughTheGramMatricesAndGiveTheSameCka()
    {
        // N = 12 rows of 3 000 and 2 500 columns: p·q = 7.5·10⁶ ≫ N², so ‖XᵀY‖² comes from the N×N Grams. The
        // reference is the definition on column-centred features, summed here entry by entry.
        var random = new Random(9);
        var (a, b) = (Gaussian(random, 12, 3000), Gaussian(random, 12, 2500));
        var (x, y) = (Centre(a), Centre(b));
        double Cross(double[] u, int p, double[] v, int q)
        {
            var total = 0.0;
            for (var r = 0; r < p; r++)
            {
                for (var c = 0; c < q; c++)
                {
                    var sum = 0.0;
                    for (var i = 0; i < 12; i++)
                    {
                        sum += u[(i * p) + r] * v[(i * q) + c];
                    }

                    total += sum * sum;
                }
            }

            return total;
        }

        var expected = Cross(x, 3000, y, 2500) / Math.Sqrt(Cross(x, 3000, x, 3000) * Cross(y, 2500, y, 2500));
        Assert.Equal(expected, Cka.Linear(a, b)!.Value, 1e-12);
    }

    [Fact]
    public void TheOverlapBeyondItsCapUsesASeededSampleAndSaysSo()
    {
        var random = new Random(12);
        var a = Gaussian(random, 200, 4);
        var report = RepresentationComparison.Compare(a, a, new ComparisonOptions(K: 5, MaxKnnRows: 50));
        Assert.Equal(50, report.KnnRows);
        Assert.Equal(1, report.MutualKnn, 1e-12); // a set against itself: every neighbourhood shared, in the sample too
        Assert.Contains(report.Warnings, w => w.Contains("mutual_knn is computed on a seeded sample of 50 of the 200 rows", StringComparison.Ordinal));
    }

    [Fact]
    public void BadPairsAreRefusedWithWhatWasExpected()
    {
        var random = new Random(1);
        var e = Assert.Throws<HypersphereException>(() => RepresentationComparison.Compare(Gaussian(random, 10, 3), Gaussian(random, 9, 3)));
        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("same inputs in the same order, but A has 10 rows and B 9", e.Message, StringComparison.Ordinal);
        var nan = Gaussian(random, 10, 3);
        nan.Values[7] = double.NaN;
        e = Assert.Throws<HypersphereException>(() => RepresentationComparison.Compare(Gaussian(random, 10, 3), nan));
        Assert.Contains("B must hold finite numbers, but row 2, column 1 was NaN", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<HypersphereException>(() => RepresentationComparison.Compare(Gaussian(random, 10, 3), Gaussian(random, 10, 3), new ComparisonOptions(K: 0)));
        Assert.Contains("k must be at least 1, but was 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConstantRepresentationHasNoCkaAndTheReportSaysWhy()
    {
        var random = new Random(6);
        var constant = new MatrixData(Enumerable.Repeat(0.5, 20 * 4).ToArray(), 20, 4);
        var report = RepresentationComparison.Compare(Gaussian(random, 20, 4), constant, new ComparisonOptions(K: 30));
        Assert.Null(report.LinearCka);
        Assert.Null(report.LinearCkaDebiased);
        Assert.Null(report.RbfCka);
        Assert.Equal(19, report.K);
        Assert.Contains(report.Warnings, w => w.Contains("no variance", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("k was capped at rows − 1 = 19", StringComparison.Ordinal));
    }

    private static double[] Centre(MatrixData m)
    {
        var values = m.Values.ToArray();
        for (var c = 0; c < m.Cols; c++)
        {
            var mean = Enumerable.Range(0, m.Rows).Average(i => values[(i * m.Cols) + c]);
            for (var i = 0; i < m.Rows; i++)
            {
                values[(i * m.Cols) + c] -= mean;
            }
        }

        return values;
    }

    private static MatrixData Gaussian(Random random, int rows, int cols) =>
        new(Enumerable.Range(0, rows * cols).Select(_ => Normal(random)).ToArray(), rows, cols);

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Q from Gram–Schmidt on a Gaussian matrix: orthogonal, row-major.</summary>
    private static double[] RandomOrthogonal(Random random, int d)
    {
        var q = Gaussian(random, d, d).Values;
        for (var r = 0; r < d; r++)
        {
            for (var p = 0; p < r; p++)
            {
                var dot = 0.0;
                for (var c = 0; c < d; c++)
                {
                    dot += q[(r * d) + c] * q[(p * d) + c];
                }

                for (var c = 0; c < d; c++)
                {
                    q[(r * d) + c] -= dot * q[(p * d) + c];
                }
            }

            var norm = Math.Sqrt(Enumerable.Range(0, d).Sum(c => q[(r * d) + c] * q[(r * d) + c]));
            for (var c = 0; c < d; c++)
            {
                q[(r * d) + c] /= norm;
            }
        }

        return q;
    }
}
