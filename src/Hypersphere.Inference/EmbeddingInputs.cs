using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Inference.Formats;

namespace Hypersphere.Inference;

/// <summary>
/// Opens what <c>hypersphere embed --input</c> names, telling kinds apart by content, not by name:
/// <list type="bullet">
/// <item>a folder: its image files (<see cref="ImageDecoder.Extensions"/>, not recursive), in ordinal name order;</item>
/// <item>a .npy array (magic <c>\x93NUMPY</c>) of shape (N, H, W) or (N, C, H, W): uint8 pixels are
/// preprocessed like any image (scaled, converted, resized if needed); float32/float64 arrays must hold
/// pixels already scaled to [0, 1] at the model's exact C×H×W and are only normalised with the card's
/// mean/std (values outside [0, 1], as an already-normalised array has, are refused);</item>
/// <item>an IDX image file, gzipped or not (magic 0x00000803): uint8 (N, H, W);</item>
/// <item>anything else: one encoded image (PNG, JPEG, BMP).</item>
/// </list>
/// </summary>
public static class EmbeddingInputs
{
    /// <summary>Opens <paramref name="path"/> for a model whose input <paramref name="preprocessor"/> describes.</summary>
    public static EmbeddingInput Open(string path, ImagePreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (Directory.Exists(path))
        {
            return OpenFolder(path, preprocessor);
        }

        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"input '{path}' does not exist; expected an image file, a folder of images, a .npy array or an IDX image file");
        }

        if (StartsWithNpyMagic(path))
        {
            return OpenNpy(path, preprocessor);
        }

        if (IdxFormat.LooksLikeImageFile(path))
        {
            var idx = IdxFormat.ReadImages(path);
            return new ByteImagesInput($"IDX file '{path}' of {idx.Count} images of 1×{idx.Rows}×{idx.Columns}", idx.Pixels, idx.Count, 1, idx.Rows, idx.Columns, preprocessor);
        }

        return new ImageFilesInput($"image file '{path}'", [path], preprocessor);
    }

    private static ImageFilesInput OpenFolder(string folder, ImagePreprocessor preprocessor)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(ImageDecoder.HasImageExtension)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw HypersphereException.Invalid($"folder '{folder}' must hold at least one image file ({string.Join(", ", ImageDecoder.Extensions)}), but held none");
        }

        return new ImageFilesInput($"folder '{folder}' of {files.Length} image files", files, preprocessor);
    }

    /// <summary>
    /// Opens the bytes of a .npy image array (<paramref name="name"/> in messages, e.g. "the request body") exactly
    /// as <see cref="Open"/> opens a .npy file, so a service that takes arrays treats them as <c>embed</c> does.
    /// </summary>
    public static EmbeddingInput FromNpy(byte[] file, string name, ImagePreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        var images = NpyImageFile.Read(file, name);
        var shape = $"{images.Channels}×{images.Height}×{images.Width}";
        if (images.Bytes is not null)
        {
            return new ByteImagesInput($"uint8 array {name} of {images.Count} images of {shape}", images.Bytes, images.Count, images.Channels, images.Height, images.Width, preprocessor);
        }

        var spec = preprocessor.Spec;
        if (images.Channels != spec.Channels || images.Height != spec.Height || images.Width != spec.Width)
        {
            throw HypersphereException.Invalid(
                $"float images in {name} must already be the model's {spec.Channels}×{spec.Height}×{spec.Width}, but were {shape}; pass uint8 pixels to have them converted and resized");
        }

        return new UnitFloatImagesInput($"float array {name} of {images.Count} images of {shape}", images.Floats!, images.Count, preprocessor);
    }

    private static EmbeddingInput OpenNpy(string path, ImagePreprocessor preprocessor) =>
        FromNpy(File.ReadAllBytes(path), $"'{path}'", preprocessor);

    private static bool StartsWithNpyMagic(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[6];
        return file.ReadAtLeast(magic, 6, throwOnEndOfStream: false) == 6 && NpyHeader.StartsWithMagic(magic);
    }
}
