using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;
using SkiaSharp;

namespace Hypersphere.Inference.Tests;

public sealed class ImagePreprocessorTests
{
    private static readonly float[] RgbMean = [0.1f, 0.2f, 0.3f], RgbStd = [0.5f, 0.25f, 0.2f];

    [Fact]
    public void PngDecodesToExactlyNormalisedRgbPlanes()
    {
        var rgb = RandomRgb(5, 4, seed: 1);
        var pre = Rgb(4, 5);

        var floats = pre.FromEncoded(Encode(5, 4, rgb, SKEncodedImageFormat.Png));

        AssertPlanes(rgb, 5, 4, floats, RgbMean, RgbStd, levels: 0);
    }

    [Fact]
    public void BmpDecodesToExactlyNormalisedRgbPlanes()
    {
        var rgb = RandomRgb(3, 2, seed: 2); // width 3: rows are padded to 12 bytes
        var pre = Rgb(2, 3);

        var floats = pre.FromEncoded(BmpWriter.FromRgb(3, 2, rgb));

        AssertPlanes(rgb, 3, 2, floats, RgbMean, RgbStd, levels: 0);
    }

    [Fact]
    public void JpegDecodesWithinAFewLevelsAwayFromEdges()
    {
        // Four flat 8×8 quadrants; chroma subsampling and ringing only touch pixels near the edges.
        byte[][] colours = [[200, 40, 40], [40, 200, 40], [40, 40, 200], [220, 220, 60]];
        var rgb = new byte[16 * 16 * 3];
        for (var y = 0; y < 16; y++)
        {
            for (var x = 0; x < 16; x++)
            {
                colours[((y / 8) * 2) + (x / 8)].CopyTo(rgb, 3 * ((y * 16) + x));
            }
        }

        var floats = Rgb(16, 16).FromEncoded(Encode(16, 16, rgb, SKEncodedImageFormat.Jpeg));

        for (var y = 0; y < 16; y++)
        {
            for (var x = 0; x < 16; x++)
            {
                if (y % 8 is < 2 or > 5 || x % 8 is < 2 or > 5)
                {
                    continue;
                }

                for (var c = 0; c < 3; c++)
                {
                    var expected = ((rgb[(3 * ((y * 16) + x)) + c] / 255.0) - RgbMean[c]) / RgbStd[c];
                    var actual = floats[(c * 256) + (y * 16) + x];
                    Assert.True(Math.Abs(actual - expected) <= 4 / 255.0 / RgbStd[c], $"({x}, {y}) channel {c}: {actual} vs {expected}");
                }
            }
        }
    }

    [Fact]
    public void OneChannelIsBt601LumaRoundedToAByte()
    {
        var rgb = RandomRgb(6, 6, seed: 3);
        var pre = new ImagePreprocessor(new InputSpec(1, 6, 6, [0.5f], [0.25f], "stretch"));

        var floats = pre.FromEncoded(Encode(6, 6, rgb, SKEncodedImageFormat.Png));

        for (var p = 0; p < 36; p++)
        {
            var luma = decimal.Round((0.299m * rgb[3 * p]) + (0.587m * rgb[(3 * p) + 1]) + (0.114m * rgb[(3 * p) + 2]), MidpointRounding.AwayFromZero);
            var expected = (((double)luma / 255) - 0.5) / 0.25;
            Assert.True(Math.Abs(floats[p] - expected) <= 1e-6, $"pixel {p}: {floats[p]} vs {expected}");
        }
    }

    [Fact]
    public void AlphaIsCompositedOnBlack()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, new SKColor(200, 100, 50, 128));
        bitmap.SetPixel(1, 0, new SKColor(255, 255, 255, 0));
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var pre = new ImagePreprocessor(new InputSpec(3, 1, 2, [0f, 0f, 0f], [1f, 1f, 1f], "stretch"));

        var floats = pre.FromEncoded(png.ToArray());

        // c·a/255 over black: 100.4, 50.2, 25.1 (half-transparent), and nothing of the transparent white.
        float[] expected = [200 * 128 / 255f / 255, 0, 100 * 128 / 255f / 255, 0, 50 * 128 / 255f / 255, 0];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(floats[i] - expected[i]) <= 1 / 255f, $"element {i}: {floats[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void ShrinkingByTwoAveragesEachTwoByTwoBlock()
    {
        var rgb = RandomRgb(8, 8, seed: 4);
        var pre = new ImagePreprocessor(new InputSpec(3, 4, 4, [0f, 0f, 0f], [1f, 1f, 1f], "stretch"));

        var floats = pre.FromEncoded(Encode(8, 8, rgb, SKEncodedImageFormat.Png));

        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 4; y++)
            {
                for (var x = 0; x < 4; x++)
                {
                    var sum = 0.0;
                    foreach (var (dy, dx) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                    {
                        sum += rgb[(3 * ((((2 * y) + dy) * 8) + (2 * x) + dx)) + c];
                    }

                    var expected = sum / 4 / 255;
                    var actual = floats[(c * 16) + (y * 4) + x];
                    Assert.True(Math.Abs(actual - expected) <= 1.01 / 255, $"({x}, {y}) channel {c}: {actual * 255} vs {expected * 255} levels");
                }
            }
        }
    }

    [Fact]
    public void AFlatImageStaysFlatWhenStretchedEitherWay()
    {
        var pre = new ImagePreprocessor(new InputSpec(3, 8, 8, [0f, 0f, 0f], [1f, 1f, 1f], "stretch"));
        foreach (var (w, h) in new[] { (20, 12), (3, 5) })
        {
            var rgb = Enumerable.Range(0, w * h).SelectMany(_ => new byte[] { 30, 140, 250 }).ToArray();

            var floats = pre.FromEncoded(Encode(w, h, rgb, SKEncodedImageFormat.Png));

            for (var i = 0; i < floats.Length; i++)
            {
                var expected = new[] { 30, 140, 250 }[i / 64] / 255f;
                Assert.True(Math.Abs(floats[i] - expected) <= 1 / 255f, $"{w}×{h} element {i}: {floats[i]} vs {expected}");
            }
        }
    }

    [Fact]
    public void APngHeaderClaiming50000By50000IsTooLargeBeforeDecoding()
    {
        var bomb = PngWriter.HeaderOnly(50000, 50000);

        var e = Assert.Throws<HypersphereException>(() => Rgb(8, 8).FromEncoded(bomb));

        Assert.Equal(ErrorKind.TooLarge, e.Kind);
        Assert.Equal("image must have at most 25000000 pixels, but was 50000×50000 = 2500000000", e.Message);
    }

    [Fact]
    public void ThePixelLimitIsConfigurableAndInclusive()
    {
        var png = Encode(10, 10, RandomRgb(10, 10, seed: 5), SKEncodedImageFormat.Png);
        var spec = new InputSpec(3, 10, 10, RgbMean, RgbStd, "stretch");

        var e = Assert.Throws<HypersphereException>(() => new ImagePreprocessor(spec, maxPixels: 99).FromEncoded(png));
        var floats = new ImagePreprocessor(spec, maxPixels: 100).FromEncoded(png);

        Assert.Equal(ErrorKind.TooLarge, e.Kind);
        Assert.Equal(300, floats.Length);
    }

    [Fact]
    public void BytesThatAreNoImageAreBadRequest()
    {
        var e = Assert.Throws<HypersphereException>(() => Rgb(8, 8).FromEncoded("not an image at all"u8));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("must be a PNG, JPEG or BMP file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedPngIsBadRequest()
    {
        var png = Encode(32, 32, RandomRgb(32, 32, seed: 6), SKEncodedImageFormat.Png);

        var e = Assert.Throws<HypersphereException>(() => Rgb(32, 32).FromEncoded(png.AsSpan(0, png.Length / 2)));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
    }

    [Fact]
    public void PlanesAtTheModelsSizeAreTrainingsEvalViewBitForBit()
    {
        var bytes = Enumerable.Range(0, 24).Select(i => (byte)((i * 37) % 256)).ToArray();
        var pre = new ImagePreprocessor(new InputSpec(1, 4, 6, [0.2860f], [0.3530f], "stretch"));
        var floats = new float[24];

        pre.FromPlanes(bytes, 1, 4, 6, floats);

        // Training: x.to(float32) / 255f, then (x − mean) / std, each a float32 operation.
        var expected = bytes.Select(b => ((b / 255f) - 0.2860f) / 0.3530f).ToArray();
        Assert.Equal(expected, floats);
    }

    [Fact]
    public void GrayPlanesBecomeRgbByReplicationWhenTheModelWantsThree()
    {
        var gray = RandomRgb(4, 3, seed: 7)[..12];
        var floats = new float[36];

        Rgb(3, 4).FromPlanes(gray, 1, 3, 4, floats);

        for (var c = 0; c < 3; c++)
        {
            for (var p = 0; p < 12; p++)
            {
                var expected = ((gray[p] / 255.0) - RgbMean[c]) / RgbStd[c];
                Assert.True(Math.Abs(floats[(c * 12) + p] - expected) <= 1e-6, $"channel {c} pixel {p}");
            }
        }
    }

    [Fact]
    public void UnitFloatsAreOnlyNormalisedAndMustBeInZeroOne()
    {
        var pre = new ImagePreprocessor(new InputSpec(1, 1, 3, [0.5f], [0.25f], "stretch"));
        var floats = new float[3];

        pre.FromUnitPlanes([0f, 0.5f, 1f], floats);
        var e = Assert.Throws<HypersphereException>(() => pre.FromUnitPlanes([0f, -0.4f, 1f], floats));

        Assert.Equal([-2f, 0f, 2f], floats);
        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.StartsWith("pixels scaled to [0, 1] must be in [0, 1], but element 1 was -0.4", e.Message, StringComparison.Ordinal);
    }

    private static ImagePreprocessor Rgb(int height, int width) => new(new InputSpec(3, height, width, RgbMean, RgbStd, "stretch"));

    private static byte[] RandomRgb(int width, int height, int seed)
    {
        var bytes = new byte[width * height * 3];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Encode(int width, int height, byte[] rgb, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = 3 * ((y * width) + x);
                bitmap.SetPixel(x, y, new SKColor(rgb[p], rgb[p + 1], rgb[p + 2]));
            }
        }

        using var data = bitmap.Encode(format, 100);
        return data.ToArray();
    }

    private static void AssertPlanes(byte[] rgb, int width, int height, float[] floats, float[] mean, float[] std, int levels)
    {
        var plane = width * height;
        Assert.Equal(3 * plane, floats.Length);
        for (var c = 0; c < 3; c++)
        {
            for (var p = 0; p < plane; p++)
            {
                var expected = ((rgb[(3 * p) + c] / 255.0) - mean[c]) / std[c];
                var actual = floats[(c * plane) + p];
                Assert.True(Math.Abs(actual - expected) <= (levels / 255.0 / std[c]) + 1e-6, $"pixel {p} channel {c}: {actual} vs {expected}");
            }
        }
    }
}
