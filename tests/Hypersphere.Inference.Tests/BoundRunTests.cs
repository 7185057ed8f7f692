using Hypersphere.Inference.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference.Tests;

/// <summary>
/// The IOBinding data path that CUDA sessions run through, exercised on the CPU (bound to CPU memory): it must give
/// exactly the plain path's numbers on a shipped model, at every batch size, also when runs overlap.
/// </summary>
public sealed class BoundRunTests(ToyModel toy) : IClassFixture<ToyModel>, IDisposable
{
    private static readonly EncoderOptions Plain = new(ExecutionProviderChoice.Cpu, IntraOpThreads: 1);
    private static readonly EncoderOptions Bound = Plain with { BindIoOnCpu = true };
    private static readonly string Shipped = Repository.PathOf("models", "fmnist-align-uniform", "2");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(65)]
    public void TheBoundPathGivesTheSameBitsAsThePlainPathOnAShippedModel(int batch)
    {
        using var plain = OnnxEncoder.Open(Shipped, Plain);
        using var bound = OnnxEncoder.Open(Shipped, Bound);
        var pixels = RandomPixels(batch * plain.ImageSize, seed: batch);
        var outputs = plain.OutputNames;

        var expected = plain.Run(pixels, batch, outputs);
        var actual = bound.Run(pixels, batch, outputs);

        Assert.Equal(outputs.Count, actual.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.Equal(expected[i].Values, actual[i].Values); // bit for bit
        }
    }

    [Fact]
    public void ConcurrentBoundRunsEachGetTheirOwnAnswer()
    {
        using var plain = OnnxEncoder.Open(Shipped, Plain);
        using var bound = OnnxEncoder.Open(Shipped, Bound);
        var batches = new[] { 1, 5, 16, 3, 64, 9, 2, 33 };
        var inputs = batches.Select((b, i) => RandomPixels(b * plain.ImageSize, seed: 100 + i)).ToArray();
        var expected = inputs.Select((p, i) => plain.Embed(p, batches[i])).ToArray();

        var actual = new float[inputs.Length][];
        Parallel.For(0, inputs.Length * 3, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var i = k % inputs.Length;
            var answer = bound.Embed(inputs[i], batches[i]);
            Assert.Equal(expected[i], answer);
            actual[i] = answer;
        });

        Assert.All(actual, Assert.NotNull);
    }

    [SkippableFact]
    public void ASessionWithoutPinnedHostMemoryFailsItsRunsAsTheServersFault()
    {
        // A CPU session said to be on CUDA: its bound run asks the session for CUDA's pinned host allocator, which a CPU
        // session has not. ONNX Runtime says InvalidArgument, but it is the server's failure (503), not the input's (422).
        var folder = ModelFolder.Open(toy.WriteFolder(_temp.Folder("m")));
        using var encoder = OnnxEncoder.Load(
            folder,
            Plain,
            (path, o) => (OnnxSessionFactory.OpenOnCpu(path, o), new ExecutionProviderInfo(ExecutionProviders.Cuda, o.Provider, null)),
            static (_, _) => { });

        var error = Assert.Throws<InferenceFailureException>(() => encoder.Embed(new float[encoder.ImageSize * 2], 2));

        Assert.Equal(DeviceFault.Runtime, error.Fault);
        Assert.Contains("toy@1 could not run a batch of 2 on CUDAExecutionProvider", error.Message, StringComparison.Ordinal);
        Assert.Contains("no pinned host memory", error.Message, StringComparison.Ordinal);
        Assert.Contains("not the request's", error.Message, StringComparison.Ordinal);
        Assert.IsType<OnnxRuntimeException>(error.InnerException);
    }

    private static float[] RandomPixels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
    }
}
