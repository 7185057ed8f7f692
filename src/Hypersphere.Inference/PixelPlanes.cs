using SkiaSharp;

namespace Hypersphere.Inference;

/// <summary>
/// Turns Skia bitmaps into channel-first byte planes of a requested C×H×W — the one pixel pipeline
/// for training images (Training's data readers call it) and served images alike, so a served image
/// meets the model as its training data did: resizing with Skia's high-quality filtering (bilinear with trilinear mipmaps when shrinking,
/// Mitchell cubic when enlarging), RGB → gray with ITU-R BT.601 luma rounded to a byte, gray → RGB by
/// replication, alpha composited on black (premultiplied colour is exactly that).
/// </summary>
public static class PixelPlanes
{
    /// <summary>Writes <paramref name="source"/> (Rgba8888, premultiplied or opaque) as C planes of H×W bytes.</summary>
    public static void FromBitmap(SKBitmap source, Span<byte> destination, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.ColorType != SKColorType.Rgba8888 || source.AlphaType == SKAlphaType.Unpremul)
        {
            throw new ArgumentException($"the bitmap must be Rgba8888 premultiplied or opaque, but was {source.ColorType} {source.AlphaType}", nameof(source));
        }

        if (source.Width == width && source.Height == height)
        {
            ReadPlanes(source, destination, channels);
            return;
        }

        using var resized = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(resized))
        using (var image = SKImage.FromBitmap(source))
        {
            var shrinking = width < source.Width || height < source.Height;
            var sampling = shrinking
                ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                : new SKSamplingOptions(SKCubicResampler.Mitchell);
            canvas.Clear(SKColors.Transparent);
            canvas.DrawImage(image, new SKRect(0, 0, width, height), sampling);
        }

        ReadPlanes(resized, destination, channels);
    }

    /// <summary>Converts one image of byte planes to another channel count and size.</summary>
    public static void Convert(
        ReadOnlySpan<byte> source, int sourceChannels, int sourceHeight, int sourceWidth, Span<byte> destination, int channels, int height, int width)
    {
        if (sourceChannels == channels && sourceHeight == height && sourceWidth == width)
        {
            source.CopyTo(destination);
            return;
        }

        var plane = sourceHeight * sourceWidth;
        using var bitmap = new SKBitmap(new SKImageInfo(sourceWidth, sourceHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        var stride = bitmap.RowBytes;
        for (var y = 0; y < sourceHeight; y++)
        {
            for (var x = 0; x < sourceWidth; x++)
            {
                var p = (y * sourceWidth) + x;
                var o = (y * stride) + (4 * x);
                rgba[o] = source[p];
                rgba[o + 1] = source[sourceChannels == 3 ? plane + p : p];
                rgba[o + 2] = source[sourceChannels == 3 ? (2 * plane) + p : p];
                rgba[o + 3] = 255;
            }
        }

        FromBitmap(bitmap, destination, channels, height, width);
    }

    /// <summary>ITU-R BT.601 luma of an 8-bit RGB triple, rounded to the nearest integer (halves up).</summary>
    public static byte Luma(int r, int g, int b) => (byte)(((299 * r) + (587 * g) + (114 * b) + 500) / 1000);

    private static void ReadPlanes(SKBitmap bitmap, Span<byte> destination, int channels)
    {
        int width = bitmap.Width, height = bitmap.Height, plane = width * height, stride = bitmap.RowBytes;
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width) + x;
                var o = (y * stride) + (4 * x);
                if (channels == 1)
                {
                    destination[p] = Luma(rgba[o], rgba[o + 1], rgba[o + 2]);
                }
                else
                {
                    destination[p] = rgba[o];
                    destination[plane + p] = rgba[o + 1];
                    destination[(2 * plane) + p] = rgba[o + 2];
                }
            }
        }
    }
}
