using Hypersphere.Training.Data;
using SkiaSharp;

namespace Hypersphere.Training.Tests.Data;

/// <summary>Skia-encoded images and pixel access for the data-set tests (the hand-written IDX and BMP writers are in Hypersphere.Testing).</summary>
internal static class TestFiles
{
    /// <summary>Encodes straight (unpremultiplied) RGBA pixels, row-major, with Skia.</summary>
    public static byte[] Encode(SKEncodedImageFormat format, int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel, int quality = 100)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var span = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                var o = (y * bitmap.RowBytes) + (4 * x);
                (span[o], span[o + 1], span[o + 2], span[o + 3]) = (r, g, b, a);
            }
        }

        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Pixel (c, y, x) of image i of a channel-first data set.</summary>
    public static byte At(ImageDataset data, int i, int c, int y, int x) =>
        data.Pixels[(i * data.ImageSize) + (((c * data.Height) + y) * data.Width) + x];
}
