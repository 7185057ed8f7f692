using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>
/// Brings images to what a model takes, per its card's <see cref="InputSpec"/>: decoded (PNG, JPEG, BMP;
/// GIF and WebP decode too), converted to C channels (1: BT.601 luma; 3: RGB; alpha composited on
/// black), stretched to H×W, scaled to [0, 1] and normalised per channel, as C·H·W floats. The float
/// arithmetic is training's evaluation view's, step for step in float32: <c>(byte / 255f − mean) / std</c>.
/// </summary>
public sealed class ImagePreprocessor
{
    /// <summary>Default cap on decoded pixels (width·height): 25 megapixels, 100 MB as RGBA.</summary>
    public const long DefaultMaxPixels = 25_000_000;

    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>A preprocessor for <paramref name="spec"/> refusing images of more than <paramref name="maxPixels"/> pixels.</summary>
    public ImagePreprocessor(InputSpec spec, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        if (spec.Channels is not (1 or 3) || spec.Height < 1 || spec.Width < 1 || spec.Mean.Length != spec.Channels || spec.Std.Length != spec.Channels)
        {
            throw new ArgumentException($"input spec must have 1 or 3 channels, a positive size and one mean and std per channel, but was {spec.Channels}×{spec.Height}×{spec.Width} with {spec.Mean.Length} means and {spec.Std.Length} stds", nameof(spec));
        }

        Spec = spec;
        MaxPixels = maxPixels;
        _mean = spec.Mean;
        _std = spec.Std;
    }

    /// <summary>The card's input spec.</summary>
    public InputSpec Spec { get; }

    /// <summary>Largest width·height an encoded image may declare.</summary>
    public long MaxPixels { get; }

    /// <summary>Floats per image: C·H·W.</summary>
    public int ImageSize => Spec.Channels * Spec.Height * Spec.Width;

    /// <summary>Preprocesses an encoded image into a new C·H·W array.</summary>
    public float[] FromEncoded(ReadOnlySpan<byte> encoded)
    {
        var result = new float[ImageSize];
        FromEncoded(encoded, result);
        return result;
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="destination"/> (C·H·W floats) with <see cref="ImageDecoder"/>.
    /// Bytes Skia cannot decode are <see cref="ErrorKind.BadRequest"/>; an image whose header declares more than
    /// <see cref="MaxPixels"/> pixels is <see cref="ErrorKind.TooLarge"/>, refused before any pixel is decoded;
    /// <paramref name="onHeader"/> then sees the declared width and height, also before decoding.
    /// </summary>
    public void FromEncoded(ReadOnlySpan<byte> encoded, Span<float> destination, Action<int, int>? onHeader = null)
    {
        RequireDestination(destination);
        var bytes = new byte[ImageSize];
        ImageDecoder.Decode(encoded, bytes, Spec.Channels, Spec.Height, Spec.Width, MaxPixels, onHeader);
        Normalize(bytes, destination);
    }

    /// <summary>
    /// Preprocesses one image given as uint8 channel-first planes (<paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>,
    /// e.g. from IDX or .npy). At the model's size this is only <c>(byte / 255f − mean) / std</c>; otherwise
    /// channels and size are converted as for encoded images.
    /// </summary>
    public void FromPlanes(ReadOnlySpan<byte> planes, int channels, int height, int width, Span<float> destination)
    {
        RequireDestination(destination);
        if (channels is not (1 or 3) || height < 1 || width < 1)
        {
            throw HypersphereException.Invalid($"images must have 1 or 3 channels and a positive size, but were {channels}×{height}×{width}");
        }

        var expected = (long)channels * height * width;
        if (planes.Length != expected)
        {
            throw HypersphereException.Invalid($"an image of {channels}×{height}×{width} must hold {expected} bytes, but held {planes.Length}");
        }

        if (channels == Spec.Channels && height == Spec.Height && width == Spec.Width)
        {
            Normalize(planes, destination);
            return;
        }

        var bytes = new byte[ImageSize];
        PixelPlanes.Convert(planes, channels, height, width, bytes, Spec.Channels, Spec.Height, Spec.Width);
        Normalize(bytes, destination);
    }

    /// <summary>
    /// Normalises one image already scaled to [0, 1] at the model's C×H×W: <c>(x − mean) / std</c>. Values
    /// outside [0, 1] (say, an array that was normalised already) are <see cref="ErrorKind.InvalidInput"/>.
    /// </summary>
    public void FromUnitPlanes(ReadOnlySpan<float> planes, Span<float> destination)
    {
        RequireDestination(destination);
        if (planes.Length != ImageSize)
        {
            throw HypersphereException.Invalid($"an image must hold C·H·W = {Spec.Channels}·{Spec.Height}·{Spec.Width} = {ImageSize} floats, but held {planes.Length}");
        }

        var plane = Spec.Height * Spec.Width;
        for (var i = 0; i < planes.Length; i++)
        {
            var x = planes[i];
            if (!(x >= 0f && x <= 1f))
            {
                throw HypersphereException.Invalid($"pixels scaled to [0, 1] must be in [0, 1], but element {i} was {x}; pass uint8 pixels, or floats before normalisation");
            }

            var c = i / plane;
            destination[i] = (x - _mean[c]) / _std[c];
        }
    }

    private void Normalize(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        var plane = Spec.Height * Spec.Width;
        for (var c = 0; c < Spec.Channels; c++)
        {
            float mean = _mean[c], std = _std[c];
            var source = bytes.Slice(c * plane, plane);
            var target = destination.Slice(c * plane, plane);
            for (var p = 0; p < plane; p++)
            {
                target[p] = ((source[p] / 255f) - mean) / std;
            }
        }
    }

    private void RequireDestination(Span<float> destination)
    {
        if (destination.Length != ImageSize)
        {
            throw new ArgumentException($"destination must hold C·H·W = {ImageSize} floats, but held {destination.Length}", nameof(destination));
        }
    }
}
