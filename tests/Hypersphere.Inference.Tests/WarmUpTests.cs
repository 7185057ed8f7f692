using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference.Tests;

/// <summary>
/// Which batch sizes a loading session is warmed up with, seen through <see cref="OnnxEncoder.Load(ModelFolder, EncoderOptions, SessionOpener, Action{OnnxEncoder, int})"/>'s
/// seams: every size of <see cref="EncoderOptions.WarmUpBatchSizes"/> on CUDA (a CPU session that says it is on CUDA),
/// one image on the CPU, and the CPU fallback of <c>auto</c> when CUDA fails at one of the sizes.
/// </summary>
public sealed class WarmUpTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private static readonly EncoderOptions Auto = new(ExecutionProviderChoice.Auto, IntraOpThreads: 1) { WarmUpBatchSizes = EncoderOptions.EveryBatchUpTo(6) };
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void EveryBatchUpToALimitIsThatLimitDownToOne()
    {
        Assert.Equal([4, 3, 2, 1], EncoderOptions.EveryBatchUpTo(4));
        Assert.Equal([1], EncoderOptions.EveryBatchUpTo(1));
    }

    [SkippableFact]
    public void ACudaSessionIsWarmedAtEverySizeLargestFirst()
    {
        var warmed = new List<(string Provider, int Batch)>();

        using var encoder = OnnxEncoder.Load(Folder(), Auto, OnCuda, Record(warmed));

        Assert.Equal(ExecutionProviders.Cuda, encoder.Provider.Name);
        Assert.Equal([6, 5, 4, 3, 2, 1], warmed.Select(w => w.Batch));
        Assert.All(warmed, w => Assert.Equal(ExecutionProviders.Cuda, w.Provider));
    }

    [SkippableFact]
    public void ACpuSessionIsWarmedWithOneImage()
    {
        var warmed = new List<(string Provider, int Batch)>();

        using var encoder = OnnxEncoder.Load(Folder(), Auto with { Provider = ExecutionProviderChoice.Cpu }, OnnxSessionFactory.Open, Record(warmed));

        Assert.Equal([(ExecutionProviders.Cpu, 1)], warmed);
    }

    [SkippableFact]
    public void AnAutoSessionWhoseCudaWarmUpFailsAtOneSizeFallsBackToTheCpuWithTheSizeInTheReason()
    {
        var warmed = new List<(string Provider, int Batch)>();
        var record = Record(warmed);

        using var encoder = OnnxEncoder.Load(Folder(), Auto, OnCuda, (e, batch) =>
        {
            record(e, batch);
            if (e.Provider.Name == ExecutionProviders.Cuda && batch == 4)
            {
                throw OrtErrors.Make("RuntimeException", "CUDA failure 2: out of memory ; GPU=0 ; hostname=n ; file=/ort/cuda_allocator.cc ; line=1 ; expr=cudaMalloc");
            }
        });

        Assert.Equal(ExecutionProviders.Cpu, encoder.Provider.Name);
        Assert.Equal([(ExecutionProviders.Cuda, 6), (ExecutionProviders.Cuda, 5), (ExecutionProviders.Cuda, 4), (ExecutionProviders.Cpu, 1)], warmed);
        var reason = encoder.Provider.FallbackReason;
        Assert.Contains("warm-up run on CUDA device 0 failed at a batch of 4", reason, StringComparison.Ordinal);
        Assert.Contains("could not run a batch of 4", reason, StringComparison.Ordinal);
        Assert.Contains("out of memory", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/ort/", reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AnExplicitCudaSessionWhoseWarmUpFailsAtOneSizeIsRefused()
    {
        var warmed = new List<(string Provider, int Batch)>();
        var record = Record(warmed);

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxEncoder.Load(Folder(), Auto with { Provider = ExecutionProviderChoice.Cuda }, OnCuda, (e, batch) =>
        {
            record(e, batch);
            throw OrtErrors.Make("RuntimeException", "CUDNN failure 8: CUDNN_STATUS_EXECUTION_FAILED");
        }));

        Assert.Contains("CUDNN_STATUS_EXECUTION_FAILED", error.Message, StringComparison.Ordinal);
        Assert.Equal([(ExecutionProviders.Cuda, 6)], warmed);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 4, 0, 1 })]
    public void WarmUpSizesMustBeOneOrMoreSizesOfAtLeastOne(int[] sizes)
    {
        var error = Assert.Throws<HypersphereException>(() => (Auto with { WarmUpBatchSizes = sizes }).Validate());

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.StartsWith("warm-up batch sizes must be one or more sizes of at least 1", error.Message, StringComparison.Ordinal);
    }

    private ModelFolder Folder() => ModelFolder.Open(model.WriteFolder(_temp.Folder("m")));

    // A CPU session that says it is on CUDA: only the device is pretended.
    private static (InferenceSession, ExecutionProviderInfo) OnCuda(string path, EncoderOptions options) =>
        (OnnxSessionFactory.OpenOnCpu(path, options), new ExecutionProviderInfo(ExecutionProviders.Cuda, options.Provider, null));

    private static Action<OnnxEncoder, int> Record(List<(string Provider, int Batch)> warmed) => (encoder, batch) => warmed.Add((encoder.Provider.Name, batch));
}
