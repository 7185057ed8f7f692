using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// The machine's failures (the device, ONNX Runtime, CUDA that cannot load) exit with another code than the input's,
/// as the README's exit-code list says: 8 for the machine, 2/3/9 for the input.
/// </summary>
public sealed class EmbedExitCodeTests
{
    private const int Machine = 8;
    private static readonly int[] InputCodes = [2, 3, 4, 5, 9];

    [Fact]
    public void ADeviceOrRuntimeFailureIsTheMachinesExitCodeAndABadValueTheInputs()
    {
        Assert.Equal(Machine, CommandErrors.Run(() => throw new InferenceFailureException(DeviceFault.DeviceLost, "toy@1 could not run a batch of 4", 30)));
        Assert.Equal(Machine, CommandErrors.Run(() => throw new InferenceFailureException(DeviceFault.OutOfMemory, "toy@1 ran out of device memory", 1)));
        Assert.Equal(Machine, CommandErrors.Run(() => throw OrtErrors.Make("RuntimeException", "CUDA failure 700: an illegal memory access was encountered")));
        Assert.Equal(3, CommandErrors.Run(() => throw HypersphereException.Invalid("the values are not unit norm")));
        Assert.DoesNotContain(Machine, InputCodes);
    }

    [SkippableFact]
    public void EmbedOnCudaWhereCudaCannotLoadExitsWithTheMachinesCodeAndBadImagesWithTheInputs()
    {
        using var folder = new TempFolder();
        var model = Repository.PathOf("models", "fmnist-align-uniform", "1");
        var images = folder.File("images.npy");
        File.WriteAllBytes(images, NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 28, 28), }", new byte[2 * 28 * 28]));
        var wrong = folder.File("wrong.npy");
        File.WriteAllBytes(wrong, NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[6]));

        var (code, _, stderr) = CliProcess.Run("embed", "--model", model, "--input", images, "--out", folder.File("e.npy"), "--provider", "cuda");
        Skip.If(code == 0, "CUDA loads on this machine");
        Assert.True(code == Machine, $"exit {code}: {stderr}");
        Assert.Contains("CUDA", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliProcess.Run("embed", "--model", model, "--input", wrong, "--out", folder.File("e.npy"), "--provider", "cpu");
        Assert.True(code == 2, $"exit {code}: {stderr}");
    }
}
