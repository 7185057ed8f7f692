using SkiaSharp;

namespace Hypersphere.Service.Tests.Support;

/// <summary>Images for requests encoded by Skia (PNG, JPEG); the hand-written BMP and PNG writers are in Hypersphere.Testing.</summary>
public static class TestImages
{
    /// <summary>An 8×8 gray ramp: pixel (y, x) = 4·(8y + x) + offset.</summary>
    public static byte[] Ramp(int offset = 0) => Enumerable.Range(0, 64).Select(i => (byte)((4 * i) + offset)).ToArray();

    /// <summary>Gray pixels encoded by Skia (PNG is lossless, so decoding gives them back exactly).</summary>
    public static byte[] Encode(byte[] gray, int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = gray[(y * width) + x];
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        }

        using var data = bitmap.Encode(format, 95);
        return data.ToArray();
    }
}
