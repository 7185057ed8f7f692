using TorchSharp;

namespace Hypersphere.Training.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void LibTorchLoadsAndMultipliesMatrices()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }
}
