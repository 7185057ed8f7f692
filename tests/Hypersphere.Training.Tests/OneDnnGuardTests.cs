using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

/// <summary>Convolutions compute what they should on this machine, whichever kernels the guard left in place.</summary>
public sealed class OneDnnGuardTests
{
    [Theory]
    [InlineData(4, 24, 16, 7)]
    [InlineData(7, 24, 48, 13)]
    [InlineData(64, 40, 64, 16)]
    [InlineData(5, 96, 48, 6)]
    public void Float32ConvolutionsAgreeWithFloat64(int n, int cin, int cout, int size)
    {
        OneDnnGuard.Ensure();
        Assert.True(OneDnnGuard.FallbackReason is not null || OneDnnGuard.WorstError() <= 1e-3, "the guard saw wrong convolutions and left oneDNN on");
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var x = randn([n, cin, size, size], dtype: ScalarType.Float64, generator: generator);
        var w = randn([cout, cin, 3, 3], dtype: ScalarType.Float64, generator: generator) * 0.1;
        var b = randn([cout], dtype: ScalarType.Float64, generator: generator);

        var reference = nn.functional.conv2d(x, w, b, padding: [1, 1]);
        var single = nn.functional.conv2d(x.to_type(ScalarType.Float32), w.to_type(ScalarType.Float32), b.to_type(ScalarType.Float32), padding: [1, 1]);

        var error = (single.to_type(ScalarType.Float64) - reference).abs().max().item<double>();
        Assert.True(error < 1e-3, $"float32 convolution of {n}×{cin}×{size}×{size} → {cout} differs from float64 by {error} ({OneDnnGuard.FallbackReason ?? "oneDNN on"})");
    }
}
