using Hypersphere.Core.Errors;
using Hypersphere.Inference;

namespace Hypersphere.Training.Data;

/// <summary>
/// A folder of images with one subfolder per class (<c>root/&lt;class&gt;/…/&lt;image&gt;</c>), as
/// torchvision's ImageFolder reads it. Classes are the subfolders sorted by ordinal name (hidden ones,
/// starting with '.', are skipped); images (<see cref="ImageDecoder.Extensions"/>) are decoded by Inference's
/// <see cref="ImageDecoder"/>, as the service decodes them, and brought to one C×H×W.
/// </summary>
public static class ImageFolder
{
    /// <summary>Name used in the catalog and in data set names.</summary>
    public const string Name = "folder";

    /// <summary>
    /// Loads every image under <paramref name="root"/>'s class subfolders (searched recursively, in
    /// ordinal path order), converted to <paramref name="channels"/> (1 = BT.601 luma, 3 = RGB; alpha
    /// composited on black) and resized to <paramref name="height"/>×<paramref name="width"/>.
    /// </summary>
    public static ImageDataset Load(string root, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(root);
        DataFiles.RequireShape(channels, height, width);
        DataFiles.RequireDirectory(root, "image", "pass --data-dir with a folder that has one subfolder of images per class");

        var classDirs = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (classDirs.Length == 0)
        {
            throw HypersphereException.Invalid($"image folder '{root}' has no class subfolders; expected one subfolder of images per class (root/<class>/<image>.png)");
        }

        var files = classDirs.Select(ImageFiles).ToArray();
        var empty = classDirs.Where((_, c) => files[c].Length == 0).Select(Path.GetFileName).ToArray();
        if (empty.Length > 0)
        {
            throw HypersphereException.Invalid(
                $"image folder '{root}' has {empty.Length} class subfolder(s) without images ({string.Join(", ", empty)}); every class needs at least one {string.Join("/", ImageDecoder.Extensions)} file");
        }

        var paths = files.SelectMany(f => f).ToArray();
        var labels = files.SelectMany((f, c) => Enumerable.Repeat(c, f.Length)).ToArray();
        var name = $"{Name}/{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))}";
        var size = channels * height * width;
        var pixels = new byte[DataFiles.PixelBytes(name, paths.Length, channels, height, width)];

        // Decode in parallel, but report the first bad file in path order so the error is deterministic.
        var errors = new HypersphereException?[paths.Length];
        Parallel.For(0, paths.Length, i =>
        {
            try
            {
                Decode(paths[i], pixels.AsSpan(i * size, size), channels, height, width);
            }
            catch (HypersphereException e)
            {
                errors[i] = e;
            }
        });
        var error = errors.FirstOrDefault(e => e is not null);
        if (error is not null)
        {
            throw error;
        }

        return new ImageDataset(name, pixels, labels, channels, height, width, classDirs.Select(d => Path.GetFileName(d)).ToArray());
    }

    private static string[] ImageFiles(string classDir) => Directory
        .EnumerateFiles(classDir, "*", SearchOption.AllDirectories)
        .Where(ImageDecoder.HasImageExtension)
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Inference's guarded decoder; its errors name the file here, and undecodable bytes are a corrupt data set.</summary>
    private static void Decode(string path, Span<byte> destination, int channels, int height, int width)
    {
        try
        {
            ImageDecoder.Decode(File.ReadAllBytes(path), destination, channels, height, width, ImagePreprocessor.DefaultMaxPixels);
        }
        catch (HypersphereException e)
        {
            var kind = e.Kind == ErrorKind.BadRequest ? ErrorKind.Corrupt : e.Kind;
            throw new HypersphereException(kind, $"image file '{path}': {e.Message}", e);
        }
    }
}
