using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

/// <summary>
/// The provider choice on a machine without CUDA 13 / cuDNN 9 (this one, and CI's). Where CUDA does
/// work, the fallback cannot be observed and these tests skip.
/// </summary>
public sealed class ExecutionProviderTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void AutoFallsBackToCpuAndSaysWhy()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), new EncoderOptions(ExecutionProviderChoice.Auto, IntraOpThreads: 1));
        Skip.If(encoder.Provider.Name == ExecutionProviders.Cuda, "CUDA works on this machine: there is no fallback to see");

        Assert.Equal(ExecutionProviders.Cpu, encoder.Provider.Name);
        Assert.Equal(ExecutionProviderChoice.Auto, encoder.Provider.Requested);
        Assert.False(string.IsNullOrWhiteSpace(encoder.Provider.FallbackReason));
        Assert.Contains("CUDA", encoder.Provider.FallbackReason, StringComparison.Ordinal);
        Assert.DoesNotContain("/", encoder.Provider.FallbackReason, StringComparison.Ordinal); // neither ONNX Runtime's source files nor the library's path
        Assert.Equal(ToyModel.Dim, encoder.Embed(new float[64], 1).Length); // and it runs
    }

    [SkippableFact]
    public void CudaWithoutCudaIsNotReadyWithTheReason()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        using (var probe = OnnxEncoder.Open(dir, new EncoderOptions(ExecutionProviderChoice.Auto, IntraOpThreads: 1)))
        {
            Skip.If(probe.Provider.Name == ExecutionProviders.Cuda, "CUDA works on this machine");
        }

        var e = Assert.Throws<HypersphereException>(() => OnnxEncoder.Open(dir, new EncoderOptions(ExecutionProviderChoice.Cuda, IntraOpThreads: 1)));

        Assert.Equal(ErrorKind.NotReady, e.Kind);
        Assert.StartsWith("the CUDA execution provider was requested, but it cannot be used here: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("set --provider to auto or cpu", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void CpuIsCpuWithNoReason()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), new EncoderOptions(ExecutionProviderChoice.Cpu, IntraOpThreads: 1));

        Assert.Equal(new ExecutionProviderInfo(ExecutionProviders.Cpu, ExecutionProviderChoice.Cpu, null), encoder.Provider);
    }

    [Theory]
    [InlineData("auto", ExecutionProviderChoice.Auto)]
    [InlineData("CUDA", ExecutionProviderChoice.Cuda)]
    [InlineData(" cpu ", ExecutionProviderChoice.Cpu)]
    public void ParseAcceptsTheThreeNamesInAnyCase(string text, ExecutionProviderChoice expected) =>
        Assert.Equal(expected, ExecutionProviders.Parse(text));

    [Fact]
    public void ParseRefusesOtherNamesAsBadRequest()
    {
        var e = Assert.Throws<HypersphereException>(() => ExecutionProviders.Parse("gpu"));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Equal("execution provider must be auto, cuda or cpu, but was 'gpu'", e.Message);
    }

    [Fact]
    public void NegativeDeviceIdIsInvalid()
    {
        var e = Assert.Throws<HypersphereException>(() => new EncoderOptions(DeviceId: -1).Validate());

        Assert.Equal("CUDA device id must be at least 0, but was -1", e.Message);
    }
}
