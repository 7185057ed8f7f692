using Hypersphere.Core.Errors;
using Hypersphere.Inference;

namespace Hypersphere.Training.Data;

/// <summary>
/// STL-10, binary version (<c>stl10_binary.tar.gz</c>): <c>*_X.bin</c> holds 3×96×96 bytes per image,
/// each channel written column-major (as MATLAB stores arrays), and <c>*_y.bin</c> one label byte per
/// image, 1-based (1..10). Images are transposed to row-major and labels shifted to 0..9; the
/// unlabeled images get label −1.
/// </summary>
public static class Stl10
{
    /// <summary>Name used in the catalog and in data set names.</summary>
    public const string Name = "stl10";

    /// <summary>Image channels (RGB).</summary>
    public const int Channels = 3;

    /// <summary>Image height as stored.</summary>
    public const int Height = 96;

    /// <summary>Image width as stored.</summary>
    public const int Width = 96;

    /// <summary>Bytes per stored image.</summary>
    public const int ImageBytes = Channels * Height * Width;

    /// <summary>The folder the official archive unpacks to; accepted inside the given folder.</summary>
    public const string ArchiveFolder = "stl10_binary";

    /// <summary>
    /// The splits: <c>train</c> (5000 labelled), <c>test</c> (8000 labelled), <c>unlabeled</c> (100000) and
    /// <c>train+unlabeled</c> (the paper's self-supervised training set: train, then unlabeled).
    /// </summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "test", "unlabeled", "train+unlabeled"];

    /// <summary>The standard class names, used when <c>class_names.txt</c> is absent.</summary>
    public static IReadOnlyList<string> StandardClassNames { get; } =
        ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"];

    /// <summary>
    /// Loads a split from <paramref name="dataDir"/> (or its <c>stl10_binary</c> subfolder), optionally
    /// resized to <paramref name="height"/>×<paramref name="width"/> while reading and limited to the first
    /// <paramref name="maxImages"/> images. The unlabeled images do not fit one in-memory data set at
    /// 96×96 (100000·27648 bytes is more than an array holds); load them at a smaller size (64×64, the
    /// paper's crop size, fits) or limit their number.
    /// </summary>
    public static ImageDataset Load(string dataDir, string split, int height = Height, int width = Width, int? maxImages = null)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        DataFiles.RequireSplit(Name, split, Splits);
        DataFiles.RequireShape(Channels, height, width);
        DataFiles.RequireLimit(maxImages);
        DataFiles.RequireDirectory(dataDir, "STL-10 data", "pass --data-dir with the folder of the STL-10 binary version (train_X.bin, train_y.bin, test_X.bin, test_y.bin, unlabeled_X.bin)");
        var parts = split switch
        {
            "train+unlabeled" => new[] { "train", "unlabeled" },
            _ => [split],
        };
        var dir = DataFiles.ResolveArchiveFolder(dataDir, $"{parts[0]}_X.bin", ArchiveFolder);

        var name = $"{Name}/{split}";
        var remaining = maxImages ?? int.MaxValue;
        var sources = new List<(string Images, int Count, int[] Labels)>();
        foreach (var part in parts)
        {
            var images = DataFiles.RequireFile(dir, $"{part}_X.bin", "STL-10 image");
            var count = CountImages(images);
            var labels = part == "unlabeled" ? Enumerable.Repeat(-1, count).ToArray() : ReadLabels(DataFiles.RequireFile(dir, $"{part}_y.bin", "STL-10 label"), images, count);
            var taken = Math.Min(count, remaining);
            sources.Add((images, taken, labels[..taken]));
            remaining -= taken;
        }

        var total = sources.Sum(s => (long)s.Count);
        var size = Channels * height * width;
        var pixels = new byte[DataFiles.PixelBytes(name, total, Channels, height, width)];
        var first = 0;
        foreach (var (images, count, _) in sources)
        {
            ReadImages(images, count, pixels, first, height, width);
            first += count;
        }

        var classNames = DataFiles.ReadClassNames(Path.Combine(dir, "class_names.txt"), StandardClassNames);
        return new ImageDataset(name, pixels, sources.SelectMany(s => s.Labels).ToArray(), Channels, height, width, classNames);
    }

    private static int CountImages(string path)
    {
        var length = new FileInfo(path).Length;
        if (length == 0 || length % ImageBytes != 0)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"'{path}' is {length} bytes, but STL-10 images must be a positive multiple of {ImageBytes} bytes (3×96×96); {length / ImageBytes} whole images and {length % ImageBytes} bytes left over");
        }

        return checked((int)(length / ImageBytes));
    }

    private static int[] ReadLabels(string path, string imagesPath, int count)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != count)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"'{path}' holds {bytes.Length} labels, but '{imagesPath}' holds {count} images; the counts must match");
        }

        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            if (bytes[i] is < 1 or > 10)
            {
                throw new HypersphereException(
                    ErrorKind.Corrupt,
                    $"'{path}' has label {bytes[i]} at index {i}, but STL-10 labels must be 1..10");
            }

            labels[i] = bytes[i] - 1;
        }

        return labels;
    }

    /// <summary>Reads <paramref name="count"/> images into <paramref name="pixels"/> from image <paramref name="first"/> on.</summary>
    private static void ReadImages(string path, int count, byte[] pixels, int first, int height, int width)
    {
        const int chunk = 256;
        var size = Channels * height * width;
        var buffer = new byte[chunk * ImageBytes];
        using var stream = File.OpenRead(path);
        for (var start = 0; start < count; start += chunk)
        {
            var n = Math.Min(chunk, count - start);
            stream.ReadExactly(buffer, 0, n * ImageBytes);
            Parallel.For(0, n, i =>
            {
                var stored = buffer.AsSpan(i * ImageBytes, ImageBytes);
                var target = pixels.AsSpan((first + start + i) * size, size);
                if (height == Height && width == Width)
                {
                    Transpose(stored, target);
                }
                else
                {
                    var rowMajor = new byte[ImageBytes];
                    Transpose(stored, rowMajor);
                    PixelPlanes.Convert(rowMajor, Channels, Height, Width, target, Channels, height, width);
                }
            });
        }
    }

    /// <summary>Column-major planes (x outer, y inner) → row-major planes (y outer, x inner).</summary>
    private static void Transpose(ReadOnlySpan<byte> columnMajor, Span<byte> rowMajor)
    {
        const int plane = Height * Width;
        for (var c = 0; c < Channels; c++)
        {
            var source = columnMajor.Slice(c * plane, plane);
            var target = rowMajor.Slice(c * plane, plane);
            for (var x = 0; x < Width; x++)
            {
                for (var y = 0; y < Height; y++)
                {
                    target[(y * Width) + x] = source[(x * Height) + y];
                }
            }
        }
    }
}
