using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;
using SkiaSharp;

namespace Hypersphere.Inference.Tests;

public sealed class EmbeddingInputsTests : IDisposable
{
    private static readonly ImagePreprocessor Gray = new(new InputSpec(1, 4, 5, [0.25f], [0.5f], "stretch"));
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxImagesArePixelOver255ThenNormalised(bool gzip)
    {
        var pixels = Pixels(3 * 20, seed: 1);
        var path = _temp.File(gzip ? "images-idx3-ubyte.gz" : "images-idx3-ubyte");
        IdxWriter.WriteImages(path, pixels, 3, 4, 5, gzip);

        var input = EmbeddingInputs.Open(path, Gray);

        Assert.Equal(3, input.Count);
        Assert.Equal(Expected(pixels, 0.25f, 0.5f), All(input));
    }

    [Fact]
    public void Uint8NpyOfShapeNHWOrNCHWIsPreprocessedLikeIdx()
    {
        var pixels = Pixels(2 * 20, seed: 2);
        TestFiles.Npy(_temp.File("a.npy"), "|u1", [2, 4, 5], pixels);
        TestFiles.Npy(_temp.File("b.npy"), "|u1", [2, 1, 4, 5], pixels);

        var nhw = All(EmbeddingInputs.Open(_temp.File("a.npy"), Gray));
        var nchw = All(EmbeddingInputs.Open(_temp.File("b.npy"), Gray));

        Assert.Equal(Expected(pixels, 0.25f, 0.5f), nhw);
        Assert.Equal(nhw, nchw);
    }

    [Fact]
    public void Float32NpyInZeroOneIsOnlyNormalised()
    {
        var values = Enumerable.Range(0, 2 * 20).Select(i => i / 39f).ToArray();
        TestFiles.Npy(_temp.File("f.npy"), "<f4", [2, 1, 4, 5], TestFiles.FloatBytes(values));

        var floats = All(EmbeddingInputs.Open(_temp.File("f.npy"), Gray));

        Assert.Equal(values.Select(v => (v - 0.25f) / 0.5f), floats);
    }

    [Fact]
    public void Float64NpyIsReadToo()
    {
        var bytes = new byte[20 * 8];
        for (var i = 0; i < 20; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(8 * i), i / 19.0);
        }

        TestFiles.Npy(_temp.File("d.npy"), "<f8", [1, 4, 5], bytes);

        var floats = All(EmbeddingInputs.Open(_temp.File("d.npy"), Gray));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => ((float)(i / 19.0) - 0.25f) / 0.5f), floats);
    }

    [Fact]
    public void FloatNpyOutsideZeroOneIsInvalidAndNamesTheImageAndElement()
    {
        var values = new float[40];
        values[27] = -1.5f; // image 1, element 7: looks normalised already
        TestFiles.Npy(_temp.File("f.npy"), "<f4", [2, 4, 5], TestFiles.FloatBytes(values));
        var input = EmbeddingInputs.Open(_temp.File("f.npy"), Gray);

        var e = Assert.Throws<HypersphereException>(() => All(input));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("image 1: pixels scaled to [0, 1] must be in [0, 1], but element 7 was -1.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatNpyOfAnotherSizeIsInvalid()
    {
        TestFiles.Npy(_temp.File("f.npy"), "<f4", [1, 5, 5], TestFiles.FloatBytes(new float[25]));

        var e = Assert.Throws<HypersphereException>(() => EmbeddingInputs.Open(_temp.File("f.npy"), Gray));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("must already be the model's 1×4×5, but were 1×5×5", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<i4", new long[] { 1, 4, 5 }, "dtype '<i4'")]
    [InlineData("|u1", new long[] { 1, 4, 5, 3 }, "transposed to (N, C, H, W)")]
    [InlineData("|u1", new long[] { 20 }, "shape (20,)")]
    public void NpyOfAnotherDtypeOrShapeIsBadRequest(string descr, long[] shape, string message)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b) * (descr == "<i4" ? 4 : 1);
        TestFiles.Npy(_temp.File("x.npy"), descr, shape, new byte[count]);

        var e = Assert.Throws<HypersphereException>(() => EmbeddingInputs.Open(_temp.File("x.npy"), Gray));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedNpyIsCorrupt()
    {
        TestFiles.Npy(_temp.File("x.npy"), "|u1", [2, 4, 5], new byte[39]);

        var e = Assert.Throws<HypersphereException>(() => EmbeddingInputs.Open(_temp.File("x.npy"), Gray));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
    }

    [Fact]
    public void FolderImagesComeInOrdinalNameOrderAndOtherFilesAreIgnored()
    {
        var folder = _temp.Folder("images");
        WritePng(Path.Combine(folder, "b.png"), 30);
        WritePng(Path.Combine(folder, "A.png"), 10);
        File.WriteAllBytes(Path.Combine(folder, "a.bmp"), BmpWriter.FromRgb(5, 4, Enumerable.Repeat((byte)20, 60).ToArray()));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");

        var input = EmbeddingInputs.Open(folder, Gray);
        var floats = All(input);

        Assert.Equal(3, input.Count);
        Assert.Equal([10, 20, 30], Enumerable.Range(0, 3).Select(i => (int)Math.Round(((floats[i * 20] * 0.5) + 0.25) * 255)));
    }

    [Fact]
    public void EmptyFolderIsInvalid()
    {
        var e = Assert.Throws<HypersphereException>(() => EmbeddingInputs.Open(_temp.Folder("none"), Gray));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
    }

    [Fact]
    public void ASingleImageFileIsOneInputAndABrokenOneNamesTheFile()
    {
        WritePng(_temp.File("one.png"), 40);
        File.WriteAllText(_temp.File("broken.png"), "garbage");

        var one = EmbeddingInputs.Open(_temp.File("one.png"), Gray);
        var e = Assert.Throws<HypersphereException>(() => All(EmbeddingInputs.Open(_temp.File("broken.png"), Gray)));

        Assert.Equal(1, one.Count);
        Assert.All(All(one), v => Assert.Equal(((40 / 255f) - 0.25f) / 0.5f, v));
        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("broken.png", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingInputIsNotFound()
    {
        var e = Assert.Throws<HypersphereException>(() => EmbeddingInputs.Open(_temp.File("nope.npy"), Gray));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    private static float[] All(EmbeddingInput input)
    {
        var floats = new float[input.Count * input.Preprocessor.ImageSize];
        input.Preprocess(0, input.Count, floats);
        return floats;
    }

    private static float[] Expected(byte[] pixels, float mean, float std) => pixels.Select(b => ((b / 255f) - mean) / std).ToArray();

    private static byte[] Pixels(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void WritePng(string path, byte gray)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(5, 4, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(gray, gray, gray));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
