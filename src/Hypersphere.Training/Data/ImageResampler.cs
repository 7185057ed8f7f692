using Hypersphere.Inference;

namespace Hypersphere.Training.Data;

/// <summary>
/// Brings whole data sets to a requested C×H×W with Inference's <see cref="PixelPlanes"/> (Skia
/// high-quality resizing, BT.601 luma, alpha on black): the same pixels the service will feed the model.
/// </summary>
public static class ImageResampler
{
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
        Parallel.For(0, data.Count, i => PixelPlanes.Convert(
            data.Pixels.AsSpan(i * data.ImageSize, data.ImageSize), data.Channels, data.Height, data.Width,
            pixels.AsSpan(i * size, size), channels, height, width));
        return data with { Pixels = pixels, Channels = channels, Height = height, Width = width };
    }
}
