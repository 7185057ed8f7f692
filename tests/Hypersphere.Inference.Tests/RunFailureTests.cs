using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

/// <summary>Run failures classified by ONNX Runtime's status and the CUDA provider's words; the CUDA warm-up fallback, with the failure injected.</summary>
public sealed class RunFailureTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("InvalidArgument", "Got invalid dimensions for input: pixels for the following indices index: 1 Got: 2 Expected: 1", null)]
    [InlineData("RuntimeException", "CUDA failure 2: out of memory ; GPU=0 ; hostname=n ; file=/ort/cuda_call.cc ; line=1 ; expr=cudaMalloc", DeviceFault.OutOfMemory)]
    [InlineData("Fail", "Failed to allocate memory for requested buffer of size 1073741824", DeviceFault.OutOfMemory)]
    [InlineData("RuntimeException", "CUDNN failure 8: CUDNN_STATUS_EXECUTION_FAILED ; GPU=0 ; hostname=n ; file=/ort/conv.cc ; line=1 ; expr=x", DeviceFault.Runtime)]
    [InlineData("EngineError", "Non-zero status code returned while running Conv node.", DeviceFault.Runtime)]
    [InlineData("Fail", "CUDA failure 700: an illegal memory access was encountered ; GPU=0 ; hostname=n ; file=/ort/cuda_execution_provider.cc ; line=1 ; expr=x", DeviceFault.DeviceLost)]
    [InlineData("RuntimeException", "CUDA error cudaErrorLaunchFailure:unspecified launch failure", DeviceFault.DeviceLost)]
    [InlineData("Fail", "CUDA failure 46: all CUDA-capable devices are busy or unavailable ; GPU=0", DeviceFault.DeviceLost)]
    public void ARunFailureIsTheInputsOnlyForInvalidArgumentAndDeviceLostOnlyForCudasStickyErrors(string code, string message, DeviceFault? expected)
    {
        var failure = RunFailures.Classify(OrtErrors.Make(code, message), "toy@1", ExecutionProviders.Cuda, 4);

        if (expected is null)
        {
            Assert.IsNotType<InferenceFailureException>(failure);
            Assert.Equal(ErrorKind.InvalidInput, failure.Kind);
            Assert.Contains("invalid dimensions", failure.Message, StringComparison.Ordinal);
            return;
        }

        var device = Assert.IsType<InferenceFailureException>(failure);
        Assert.Equal(expected, device.Fault);
        Assert.Equal(ErrorKind.NotReady, device.Kind);
        Assert.Contains("toy@1 could not run a batch of 4 on CUDAExecutionProvider", device.Message, StringComparison.Ordinal);
        Assert.Contains(code, device.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/ort/", device.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hostname", device.Message, StringComparison.Ordinal);
        Assert.True(device.RetryAfterSeconds >= 1);
    }

    [SkippableFact]
    public void AnAutoSessionWhoseCudaWarmUpFailsIsReopenedOnTheCpuWithTheReason()
    {
        var folder = ModelFolder.Open(model.WriteFolder(_temp.Folder("m")));
        var warmUps = new List<string>();

        using var encoder = OnnxEncoder.Load(folder, new EncoderOptions(ExecutionProviderChoice.Auto, IntraOpThreads: 1), FakeCuda, BrokenCudaWarmUp(warmUps));

        Assert.Equal(ExecutionProviders.Cpu, encoder.Provider.Name);
        Assert.Equal(ExecutionProviderChoice.Auto, encoder.Provider.Requested);
        Assert.Contains("warm-up run on CUDA device 0 failed", encoder.Provider.FallbackReason, StringComparison.Ordinal);
        Assert.Contains("CUDNN_STATUS_NOT_INITIALIZED", encoder.Provider.FallbackReason, StringComparison.Ordinal);
        Assert.Equal([ExecutionProviders.Cuda, ExecutionProviders.Cpu], warmUps);
        Assert.Equal(ToyModel.Dim, encoder.Embed(new float[encoder.ImageSize], 1).Length);
    }

    [SkippableFact]
    public void AnExplicitCudaSessionWhoseWarmUpFailsIsRefused()
    {
        var folder = ModelFolder.Open(model.WriteFolder(_temp.Folder("m")));
        var warmUps = new List<string>();

        var error = Assert.Throws<InferenceFailureException>(() =>
            OnnxEncoder.Load(folder, new EncoderOptions(ExecutionProviderChoice.Cuda, IntraOpThreads: 1), FakeCuda, BrokenCudaWarmUp(warmUps)));

        Assert.Equal(ErrorKind.NotReady, error.Kind);
        Assert.Equal([ExecutionProviders.Cuda], warmUps);
    }

    // A CPU session that says it is on CUDA: the interface check and the runs are real, the device is not.
    private static (Microsoft.ML.OnnxRuntime.InferenceSession, ExecutionProviderInfo) FakeCuda(string path, EncoderOptions options) =>
        (OnnxSessionFactory.OpenOnCpu(path, options), new ExecutionProviderInfo(ExecutionProviders.Cuda, options.Provider, null));

    private static Action<OnnxEncoder, int> BrokenCudaWarmUp(List<string> warmUps) => (encoder, batch) =>
    {
        warmUps.Add(encoder.Provider.Name);
        if (encoder.Provider.Name == ExecutionProviders.Cuda)
        {
            // What the run gives once ONNX Runtime's classification is applied, as OnnxEncoder.Run throws it.
            throw RunFailures.Classify(
                OrtErrors.Make("RuntimeException", "CUDNN failure 1: CUDNN_STATUS_NOT_INITIALIZED ; GPU=0 ; hostname=n ; file=/ort/cudnn.cc ; line=1 ; expr=cudnnCreate"),
                encoder.Folder.Id,
                encoder.Provider.Name,
                batch);
        }

        encoder.WarmUp(batch);
    };
}
