using Hypersphere.Training.Models;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

public class EncoderTests
{
    [Theory]
    [InlineData(1, 28, 0.25, 128)]
    [InlineData(3, 32, 0.125, 64)]
    [InlineData(3, 64, 0.0625, 16)]
    public void OutputsAreUnitRowsOfTheFeatureDimensionForAnyInputShape(int channels, int size, double width, int dim)
    {
        using var encoder = new SmallAlexNet(new EncoderConfig(channels, size, size, width, dim), seed: 1);
        encoder.eval();
        using var input = randn(5, channels, size, size, generator: new Generator(2));
        var outputs = encoder.Features(input);
        Assert.Equal(new long[] { 5, dim }, outputs.Embedding.shape);
        using var norms = outputs.Embedding.norm(1, keepdim: false, p: 2);
        foreach (var norm in norms.data<float>().ToArray())
        {
            Assert.Equal(1, norm, 5);
        }

        // fc7 width and conv5's flattened size follow the paper's channel counts and three stride-2 pools.
        Assert.Equal((long)Math.Round(4096 * width), outputs.Fc7.shape[1]);
        var pooled = size;
        for (var i = 0; i < 3; i++)
        {
            pooled = ((pooled - 3) / 2) + 1;
        }

        Assert.Equal((long)Math.Round(192 * width) * pooled * pooled, outputs.Conv5.shape[1]);
    }

    [Fact]
    public void WeightsAreDrawnFromNormalWithStd002AndSeedDecidesThem()
    {
        var config = new EncoderConfig(1, 28, 28, 0.25, 128);
        using var a = new SmallAlexNet(config, seed: 7);
        using var b = new SmallAlexNet(config, seed: 7);
        using var c = new SmallAlexNet(config, seed: 8);
        var weightsA = a.Head.Fc7.weight!.data<float>().ToArray();
        Assert.Equal(weightsA, b.Head.Fc7.weight!.data<float>().ToArray());
        Assert.NotEqual(weightsA, c.Head.Fc7.weight!.data<float>().ToArray());

        var mean = weightsA.Average(v => (double)v);
        var std = Math.Sqrt(weightsA.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(std, 0.0195, 0.0205);
        Assert.All(a.ConvBlocks, block => Assert.True(block.Norm.weight!.data<float>().ToArray().All(v => v == 1)));
    }

    [Fact]
    public void TooSmallInputsAreRefusedWithTheMinimumSize()
    {
        var error = Assert.Throws<Core.Errors.HypersphereException>(() => new SmallAlexNet(new EncoderConfig(1, 12, 12), 0));
        Assert.Contains("15×15", error.Message, StringComparison.Ordinal);
    }
}
