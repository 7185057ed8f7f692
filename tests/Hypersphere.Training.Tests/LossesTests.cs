using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;
using Hypersphere.Training.Losses;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

/// <summary>The tensor losses agree with Core's metrics and with formulas written out here.</summary>
public class LossesTests
{
    [Theory]
    [InlineData(64, 16, 2.0, 2.0)]
    [InlineData(130, 8, 1.5, 3.0)]
    [InlineData(7, 3, 0.5, 0.7)]
    public void TensorLossesEqualCoreMetricsOnTheSameEmbeddings(int n, int d, double alpha, double t)
    {
        var xs = SpherePoints.Uniform(n, d, seed: n);
        var ys = SpherePoints.Uniform(n, d, seed: n + 1);
        using var x = tensor(Array.ConvertAll(xs, v => (double)v), [n, d]);
        using var y = tensor(Array.ConvertAll(ys, v => (double)v), [n, d]);
        var coreX = EmbeddingMatrix.Create(xs, n, d, normalize: false);
        var coreY = EmbeddingMatrix.Create(ys, n, d, normalize: false);

        using var align = HypersphereLosses.Alignment(x, y, alpha);
        using var uniform = HypersphereLosses.Uniformity(x, t);
        Assert.Equal(Alignment.Compute(coreX, coreY, alpha), align.item<double>(), 10);
        Assert.Equal(Uniformity.Compute(coreX, t), uniform.item<double>(), 10);
    }

    [Fact]
    public void ContrastiveEqualsSymmetricInfoNceWrittenOut()
    {
        const int n = 9, d = 5;
        const double tau = 0.3;
        var xs = SpherePoints.Uniform(n, d, seed: 3);
        var ys = SpherePoints.Uniform(n, d, seed: 4);
        using var x = tensor(Array.ConvertAll(xs, v => (double)v), [n, d]);
        using var y = tensor(Array.ConvertAll(ys, v => (double)v), [n, d]);

        double Dot(float[] a, int i, float[] b, int j) => Enumerable.Range(0, d).Sum(k => (double)a[(i * d) + k] * b[(j * d) + k]);
        double Nce(float[] a, float[] b) => Enumerable.Range(0, n).Average(i =>
            -(Dot(a, i, b, i) / tau) + Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(Dot(a, i, b, j) / tau))));
        var expected = (Nce(xs, ys) + Nce(ys, xs)) / 2;

        using var loss = HypersphereLosses.Contrastive(x, y, tau);
        Assert.Equal(expected, loss.item<double>(), 10);
    }

    [Fact]
    public void UniformityOfAnyBatchIsAtLeastTheFiniteNBoundAndZeroWhenCollapsed()
    {
        using var random = randn(32, 6, generator: new Generator(5));
        using var x = nn.functional.normalize(random.to_type(ScalarType.Float64), p: 2, dim: 1);
        using var uniform = HypersphereLosses.Uniformity(x, 2);
        Assert.True(uniform.item<double>() >= UniformityReference.FiniteNBound(32, 2) - 1e-12);

        using var same = ones(10, 4, dtype: ScalarType.Float64) / 2;
        using var collapsed = HypersphereLosses.Uniformity(same, 2);
        Assert.Equal(0, collapsed.item<double>(), 12);
    }

    [Fact]
    public void PresetsCarryThePapersSettings()
    {
        var moco = LossSpec.FromPreset("moco-align-uniform");
        Assert.Equal((3.0, 1.0, 3.0, 65536, 0.999), (moco.AlignWeight, moco.UniformWeight, moco.T, moco.Moco!.QueueSize, moco.Moco.Momentum));
        Assert.Equal((1.0, 1.0, 0.0, 2.0, 2.0), (LossSpec.FromPreset("align-uniform") is var au ? (au.AlignWeight, au.UniformWeight, au.ContrastiveWeight, au.Alpha, au.T) : default));
        Assert.Equal(0.5, LossSpec.FromPreset("contrastive").Tau);
        var error = Assert.Throws<Core.Errors.HypersphereException>(() => LossSpec.FromPreset("simclr"));
        Assert.Contains("align-uniform", error.Message, StringComparison.Ordinal);
    }
}
