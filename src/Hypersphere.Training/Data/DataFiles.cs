using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Data;

/// <summary>Checks shared by the data set readers: folders, files, split names, class-name files, sizes.</summary>
internal static class DataFiles
{
    /// <summary>Throws NotFound naming <paramref name="dir"/> (and <paramref name="hint"/>) when it does not exist.</summary>
    public static void RequireDirectory(string dir, string what, string hint)
    {
        if (!Directory.Exists(dir))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"{what} folder '{dir}' does not exist; {hint}");
        }
    }

    /// <summary>
    /// The folder that holds <paramref name="markerFile"/>: <paramref name="dir"/> itself, or the folder the
    /// official archive unpacks to (e.g. <c>cifar-10-batches-bin</c>) inside it.
    /// </summary>
    public static string ResolveArchiveFolder(string dir, string markerFile, string archiveFolder)
    {
        var nested = Path.Combine(dir, archiveFolder);
        return !File.Exists(Path.Combine(dir, markerFile)) && File.Exists(Path.Combine(nested, markerFile)) ? nested : dir;
    }

    /// <summary>Path of <paramref name="file"/> in <paramref name="dir"/>; NotFound when missing.</summary>
    public static string RequireFile(string dir, string file, string what)
    {
        var path = Path.Combine(dir, file);
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"{what} file '{path}' does not exist; expected {file} in '{dir}'");
        }

        return path;
    }

    /// <summary>Throws BadRequest listing the valid splits when <paramref name="split"/> is not one of them.</summary>
    public static void RequireSplit(string dataset, string split, IReadOnlyList<string> splits)
    {
        if (!splits.Contains(split, StringComparer.Ordinal))
        {
            throw HypersphereException.Bad($"{dataset} split must be one of {string.Join(", ", splits.Select(s => $"'{s}'"))}, but was '{split}'");
        }
    }

    /// <summary>
    /// Class names from a text file with one name per line (blank lines ignored), or
    /// <paramref name="standard"/> when the file does not exist.
    /// </summary>
    public static IReadOnlyList<string> ReadClassNames(string path, IReadOnlyList<string> standard)
    {
        if (!File.Exists(path))
        {
            return standard;
        }

        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != standard.Count)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"'{path}' must list {standard.Count} class names (one per line), but lists {names.Length}");
        }

        return names;
    }

    /// <summary>Bytes for <paramref name="count"/> images of C×H×W; TooLarge when one byte array cannot hold them.</summary>
    public static int PixelBytes(string name, long count, int channels, int height, int width)
    {
        var bytes = count * channels * height * width;
        if (bytes > Array.MaxLength)
        {
            throw new HypersphereException(
                ErrorKind.TooLarge,
                $"{name} has {count} images of {channels}×{height}×{width} = {bytes} bytes, but one in-memory data set can hold at most {Array.MaxLength} bytes; load fewer images or a smaller size");
        }

        return (int)bytes;
    }

    /// <summary>Throws InvalidInput unless C is 1 or 3 and H, W are positive.</summary>
    public static void RequireShape(int channels, int height, int width)
    {
        if (channels is not (1 or 3))
        {
            throw HypersphereException.Invalid($"channels must be 1 (grayscale) or 3 (RGB), but was {channels}");
        }

        if (height < 1 || width < 1)
        {
            throw HypersphereException.Invalid($"image height and width must be at least 1, but were {height}×{width}");
        }
    }

    /// <summary>Throws InvalidInput unless <paramref name="maxImages"/> is null or positive.</summary>
    public static void RequireLimit(int? maxImages)
    {
        if (maxImages is < 1)
        {
            throw HypersphereException.Invalid($"the image limit must be at least 1 (or none), but was {maxImages}");
        }
    }
}
