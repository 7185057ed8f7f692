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

/// <summary><c>--device cuda</c> without a usable CUDA device says what to install, by build flavour.</summary>
public class CudaDeviceMessageTests
{
    [Fact]
    public void ACpuBuildAskedForCudaNamesTheFlavourPropertyAndTheTrainerGpuImage()
    {
        // This test project builds the default flavour, whose libtorch has no CUDA at all.
        Assert.Equal("cpu", TorchRuntime.Flavour);
        Assert.False(torch.cuda.is_available());

        var error = Assert.Throws<Core.Errors.HypersphereException>(() => TorchRuntime.Device("cuda:0"));

        Assert.Equal(Core.Errors.ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("-p:TorchFlavour=cuda", error.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", error.Message, StringComparison.Ordinal);
        Assert.Contains("--target trainer-gpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("--device cpu", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACudaBuildWithoutAGpuNamesTheDriverAndTheGpuItNeedsInstead()
    {
        var message = TorchRuntime.NoCudaMessage("cuda", "cuda");

        Assert.Contains("R570", message, StringComparison.Ordinal); // CUDA 12.8's driver floor (570.26)
        Assert.Contains("--gpus", message, StringComparison.Ordinal);
        Assert.DoesNotContain("TorchFlavour", message, StringComparison.Ordinal);
    }
}
