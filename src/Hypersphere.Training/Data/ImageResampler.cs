using SkiaSharp;

namespace Hypersphere.Training.Data;

/// <summary>
/// Turns decoded images into channel-first byte planes of a requested C×H×W: resizing with Skia's
/// high-quality filtering (trilinear mipmaps when shrinking, Mitchell cubic when enlarging, as Skia's
/// former "high" filter quality did), RGB → gray with the ITU-R BT.601 luma weights, gray → RGB by
/// replication, and alpha composited on black (premultiplied colour is exactly that).
/// </summary>
public static class ImageResampler
{
    /// <summary>
    /// Writes <paramref name="source"/> (any size, colour type Rgba8888, premultiplied) as
    /// <paramref name="channels"/> planes of <paramref name="height"/>×<paramref name="width"/> bytes.
    /// </summary>
    internal static void ToPlanes(SKBitmap source, Span<byte> destination, int channels, int height, int width)
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

    /// <summary>
    /// Converts one channel-first image of <paramref name="sourceChannels"/>×<paramref name="sourceHeight"/>×<paramref name="sourceWidth"/>
    /// bytes to <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.
    /// </summary>
    public static void ConvertPlanes(
        ReadOnlySpan<byte> source, int sourceChannels, int sourceHeight, int sourceWidth, Span<byte> destination, int channels, int height, int width)
    {
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

        ToPlanes(bitmap, destination, channels, height, width);
    }

    /// <summary>The whole data set at <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> (itself when it already is).</summary>
    public static ImageDataset Convert(ImageDataset data, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataFiles.RequireShape(channels, height, width);
        if (data.Channels == channels && data.Height == height && data.Width == width)
        {
            return data;
        }

        var size = channels * height * width;
        var pixels = new byte[DataFiles.PixelBytes(data.Name, data.Count, channels, height, width)];
        Parallel.For(0, data.Count, i => ConvertPlanes(
            data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize), data.Channels, data.Height, data.Width,
            pixels.AsSpan(i * size, size), channels, height, width));
        return data with { Pixels = pixels, Channels = channels, Height = height, Width = width };
    }

    /// <summary>ITU-R BT.601 luma of an 8-bit RGB triple, rounded to the nearest integer.</summary>
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
