using SkiaSharp;

namespace Hypersphere.Service.Tests.Support;

/// <summary>Images for requests encoded by Skia (PNG, JPEG); the hand-written BMP and PNG writers are in Hypersphere.Testing.</summary>
public static class TestImages
{
    /// <summary>An 8×8 gray ramp: pixel (y, x) = 4·(8y + x) + offset.</summary>
    public static byte[] Ramp(int offset = 0) => Enumerable.Range(0, 64).Select(i => (byte)((4 * i) + offset)).ToArray();

    /// <summary>Gray pixels encoded by Skia (PNG is lossless, so decoding gives them back exactly).</summary>
    public static byte[] Encode(byte[] gray, int width, int height, SKEncodedImageFormat format) =>
        EncodePlanes(gray, 1, width, height, format);

    /// <summary>Channel-first uint8 planes (1 channel: gray, 3: RGB) encoded by Skia, PNG unless told otherwise.</summary>
    public static byte[] EncodePlanes(byte[] planes, int channels, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(planes.Length, channels * width * height);
        var plane = width * height;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = (y * width) + x;
                bitmap.SetPixel(x, y, channels == 1
                    ? new SKColor(planes[at], planes[at], planes[at])
                    : new SKColor(planes[at], planes[plane + at], planes[(2 * plane) + at]));
            }
        }

        using var data = bitmap.Encode(format, 95);
        return data.ToArray();
    }
}
