using Hypersphere.Core.Errors;
using SkiaSharp;

namespace Hypersphere.Inference;

/// <summary>
/// The one image decoder, for served images and training's image folders alike: Skia decodes PNG, JPEG,
/// BMP, GIF and WebP, refuses an image whose header declares too many pixels before allocating them (a
/// decompression bomb), and hands the pixels to <see cref="PixelPlanes"/> for channels and size.
/// </summary>
public static class ImageDecoder
{
    /// <summary>File extensions read as images (case-insensitive) wherever a folder of images is read.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Whether <paramref name="path"/> has one of the <see cref="Extensions"/>.</summary>
    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="destination"/> as <paramref name="channels"/> planes
    /// of <paramref name="height"/>×<paramref name="width"/> bytes. Bytes Skia cannot decode are
    /// <see cref="ErrorKind.BadRequest"/>; an image whose header declares more than <paramref name="maxPixels"/>
    /// pixels is <see cref="ErrorKind.TooLarge"/>, refused before any pixel is decoded.
    /// </summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="destination">channels·height·width bytes.</param>
    /// <param name="channels">Channels wanted.</param>
    /// <param name="height">Height wanted.</param>
    /// <param name="width">Width wanted.</param>
    /// <param name="maxPixels">Most pixels the header may declare.</param>
    /// <param name="onHeader">Called with the declared width and height once they pass <paramref name="maxPixels"/>, before any pixel is decoded (a caller's budget may refuse them by throwing).</param>
    public static void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination, int channels, int height, int width, long maxPixels, Action<int, int>? onHeader = null)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = Open(data);

        // The header alone tells the size: refuse a decompression bomb before allocating its pixels.
        var (imageWidth, imageHeight) = (codec.Info.Width, codec.Info.Height);
        var pixels = (long)imageWidth * imageHeight;
        if (pixels > maxPixels)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"image must have at most {maxPixels} pixels, but was {imageWidth}×{imageHeight} = {pixels}");
        }

        onHeader?.Invoke(imageWidth, imageHeight);

        // No colour space on the target: Skia then copies the stored values without colour management.
        var info = new SKImageInfo(imageWidth, imageHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw HypersphereException.Bad($"image cannot be decoded ({decoded}); it must be a complete {codec.EncodedFormat} image of {imageWidth}×{imageHeight}");
        }

        PixelPlanes.FromBitmap(bitmap, destination, channels, height, width);
    }

    // The codec takes ownership of the stream (and Skia frees it when no codec is made).
    private static SKCodec Open(SKData data) =>
        SKCodec.Create(new SKMemoryStream(data), out var created)
        ?? throw HypersphereException.Bad($"image of {data.Size} bytes cannot be decoded ({created}); it must be a PNG, JPEG or BMP file");
}
