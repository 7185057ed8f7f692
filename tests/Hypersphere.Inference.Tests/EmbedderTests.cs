using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

public sealed class EmbedderTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void IdxImagesEmbedAsThePixelMathSaysInBatchesAndRoundTripThroughNpy()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), new EncoderOptions(ExecutionProviderChoice.Cpu, IntraOpThreads: 1));
        var pixels = new byte[7 * 64];
        new Random(3).NextBytes(pixels);
        IdxWriter.WriteImages(_temp.File("x-idx3-ubyte.gz"), pixels, 7, 8, 8, gzip: true);
        var input = EmbeddingInputs.Open(_temp.File("x-idx3-ubyte.gz"), new ImagePreprocessor(encoder.Card.Input));
        var reported = new List<int>();

        var embeddings = new Embedder(encoder, batchSize: 3).Embed(input, new SyncProgress(reported));

        // Independent reference: the card's mean 0.25 and std 0.5, then the toy model's math in float64.
        var normalised = pixels.Select(b => (float)(((b / 255.0) - 0.25) / 0.5)).ToArray();
        var (expected, _) = model.Reference(normalised, 7);
        Assert.Equal((7, ToyModel.Dim), (embeddings.Count, embeddings.Dim));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(embeddings.Values[i] - expected[i]) <= 1e-5, $"element {i}: {embeddings.Values[i]} vs {expected[i]}");
        }

        Assert.Equal([3, 6, 7], reported);
        embeddings.WriteNpy(_temp.File("e.npy"));
        var read = NpyFile.ReadMatrix(_temp.File("e.npy"));
        Assert.Equal((7, ToyModel.Dim), (read.Rows, read.Cols));
        Assert.Equal(embeddings.Values.Select(v => (double)v), read.Values);
    }

    [SkippableFact]
    public void BatchSizeDoesNotChangeTheAnswer()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), new EncoderOptions(ExecutionProviderChoice.Cpu, IntraOpThreads: 1));
        var pixels = new byte[5 * 64];
        new Random(4).NextBytes(pixels);
        TestFiles.Npy(_temp.File("x.npy"), "|u1", [5, 8, 8], pixels);
        var input = EmbeddingInputs.Open(_temp.File("x.npy"), new ImagePreprocessor(encoder.Card.Input));

        var one = new Embedder(encoder, batchSize: 1).Embed(input);
        var all = new Embedder(encoder).Embed(input);

        for (var i = 0; i < one.Values.Length; i++)
        {
            Assert.True(Math.Abs(one.Values[i] - all.Values[i]) <= 1e-6, $"element {i}");
        }
    }

    [SkippableFact]
    public void BatchSizeBelowOneIsInvalid()
    {
        using var encoder = OnnxEncoder.Open(model.WriteFolder(_temp.Folder("m")), new EncoderOptions(ExecutionProviderChoice.Cpu, IntraOpThreads: 1));

        var e = Assert.Throws<HypersphereException>(() => new Embedder(encoder, batchSize: 0));

        Assert.Equal("batch size must be at least 1, but was 0", e.Message);
    }

    private sealed class SyncProgress(List<int> reported) : IProgress<int>
    {
        public void Report(int value) => reported.Add(value);
    }
}
