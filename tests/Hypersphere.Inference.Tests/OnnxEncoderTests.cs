using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

public sealed class OnnxEncoderTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private static readonly EncoderOptions Cpu = new(ExecutionProviderChoice.Cpu, IntraOpThreads: 1);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void EmbedMatchesTheSameMathInCSharpAndRowsAreUnitNorm()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);
        const int batch = 5;
        var pixels = RandomPixels(batch, seed: 11);

        var embedding = encoder.Embed(pixels, batch);

        var (expected, _) = model.Reference(pixels, batch);
        Assert.Equal(batch * ToyModel.Dim, embedding.Length);
        for (var i = 0; i < embedding.Length; i++)
        {
            Assert.True(Math.Abs(embedding[i] - expected[i]) <= 1e-5, $"element {i}: ONNX Runtime gave {embedding[i]}, the reference {expected[i]}");
        }

        for (var n = 0; n < batch; n++)
        {
            var norm = Math.Sqrt(embedding.AsSpan(n * ToyModel.Dim, ToyModel.Dim).ToArray().Sum(v => (double)v * v));
            Assert.Equal(1.0, norm, 1e-5);
        }
    }

    [SkippableFact]
    public void RunReturnsOtherOutputsByNameInTheOrderAsked()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);
        var pixels = RandomPixels(3, seed: 5);

        var outputs = encoder.Run(pixels, 3, ["fc7", "embedding"]);

        var (embedding, fc7) = model.Reference(pixels, 3);
        Assert.Equal(["fc7", "embedding"], outputs.Select(o => o.Name));
        Assert.Equal([3, ToyModel.Dim], outputs[0].Shape);
        for (var i = 0; i < fc7.Length; i++)
        {
            Assert.True(Math.Abs(outputs[0].Values[i] - fc7[i]) <= 1e-4 * Math.Max(1, Math.Abs(fc7[i])), $"fc7[{i}]: {outputs[0].Values[i]} vs {fc7[i]}");
            Assert.True(Math.Abs(outputs[1].Values[i] - embedding[i]) <= 1e-5, $"embedding[{i}]: {outputs[1].Values[i]} vs {embedding[i]}");
        }
    }

    [SkippableFact]
    public void WrongPixelCountIsInvalidInputWithTheExactNumbers()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);

        var e = Assert.Throws<HypersphereException>(() => encoder.Embed(new float[130], 2));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Equal("pixels must hold batch·C·H·W = 2·1·8·8 = 128 floats, but held 130", e.Message);
    }

    [SkippableFact]
    public void NonFinitePixelsAndEmptyBatchesAreInvalidInput()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);
        var pixels = new float[128];
        pixels[70] = float.NaN;

        var nan = Assert.Throws<HypersphereException>(() => encoder.Embed(pixels, 2));
        var empty = Assert.Throws<HypersphereException>(() => encoder.Embed([], 0));

        Assert.Equal("pixels must be finite, but element 70 (image 1) was NaN", nan.Message);
        Assert.Equal("batch must be at least 1, but was 0", empty.Message);
        Assert.Equal(ErrorKind.InvalidInput, empty.Kind);
    }

    [SkippableFact]
    public void UnknownOutputNameIsInvalidInputAndListsTheOutputs()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);

        var e = Assert.Throws<HypersphereException>(() => encoder.Run(new float[64], 1, ["fc6"]));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("[embedding, fc7]", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TruncatedOnnxFileIsCorruptWithOnnxRuntimesMessage()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        var onnx = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(onnx, File.ReadAllBytes(onnx)[..200]);
        ModelCardFile.Write(Path.Combine(dir, "model.json"), ToyModel.CardFor(onnx)); // the card agrees: only ONNX Runtime can tell

        var e = Assert.Throws<HypersphereException>(() => OnnxEncoder.Open(dir, Cpu));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("ONNX Runtime cannot load", e.Message, StringComparison.Ordinal);
        Assert.Contains("Protobuf parsing failed", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TruncatedOnnxFileIsCorruptUnderAutoToo()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        var onnx = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(onnx, File.ReadAllBytes(onnx)[..200]);
        ModelCardFile.Write(Path.Combine(dir, "model.json"), ToyModel.CardFor(onnx));

        var e = Assert.Throws<HypersphereException>(() => OnnxEncoder.Open(dir, Cpu with { Provider = ExecutionProviderChoice.Auto }));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
    }

    [SkippableTheory]
    [InlineData("input name", "the card's onnx.input is 'pixels', but the graph's inputs are [images]; exactly that one input is expected")]
    [InlineData("input size", "input 'images' must be float [N, 1, 9, 8] with a dynamic N (from the card's input), but was float [N, 1, 8, 8]")]
    [InlineData("output name", "the card's onnx.outputs names 'fc8', but the graph's outputs are [embedding, fc7]")]
    [InlineData("dim", "embedding output 'embedding' must be [N, 32] (embedding_dim in the card), but was float [N, 16]")]
    public void CardThatDoesNotMatchTheGraphIsCorrupt(string what, string message)
    {
        var dir = model.WriteFolder(_temp.Folder("m"), card => what switch
        {
            "input name" => card with { Onnx = card.Onnx with { Input = "pixels" } },
            "input size" => card with { Input = card.Input with { Height = 9 } },
            "output name" => card with { Onnx = card.Onnx with { Outputs = ["embedding", "fc8"] } },
            _ => card with { EmbeddingDim = 32 },
        });

        var e = Assert.Throws<HypersphereException>(() => OnnxEncoder.Open(dir, Cpu));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.EndsWith(message, e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ConcurrentRunsGiveTheSameAnswersAsSequentialOnes()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);
        var inputs = Enumerable.Range(0, 8).Select(i => RandomPixels(4, seed: 100 + i)).ToArray();
        var sequential = inputs.Select(p => encoder.Embed(p, 4)).ToArray();

        var concurrent = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = encoder.Embed(inputs[i], 4));

        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(sequential[i], concurrent[i]);
        }
    }

    [SkippableFact]
    public void RunAfterDisposeIsNotReady()
    {
        var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), Cpu);
        encoder.Dispose();
        encoder.Dispose(); // twice is fine

        var e = Assert.Throws<HypersphereException>(() => encoder.Embed(new float[64], 1));

        Assert.Equal(ErrorKind.NotReady, e.Kind);
        Assert.Equal("model toy@1 has been unloaded", e.Message);
    }

    private static float[] RandomPixels(int batch, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, batch * ToyModel.Channels * ToyModel.Height * ToyModel.Width)
            .Select(_ => (float)((random.NextDouble() * 4) - 2))
            .ToArray();
    }
}
