using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Data;

/// <summary>
/// CIFAR-10, binary version (<c>cifar-10-binary.tar.gz</c>): batch files of 3073-byte records, one
/// label byte then 3072 pixel bytes (the 32×32 red plane, then green, then blue, each row-major),
/// which is already channel-first.
/// </summary>
public static class Cifar10
{
    /// <summary>Name used in the catalog and in data set names.</summary>
    public const string Name = "cifar10";

    /// <summary>Image channels (RGB).</summary>
    public const int Channels = 3;

    /// <summary>Image height.</summary>
    public const int Height = 32;

    /// <summary>Image width.</summary>
    public const int Width = 32;

    /// <summary>Bytes per record: the label byte and 3×32×32 pixels.</summary>
    public const int RecordSize = 1 + (Channels * Height * Width);

    /// <summary>The folder the official archive unpacks to; accepted inside the given folder.</summary>
    public const string ArchiveFolder = "cifar-10-batches-bin";

    /// <summary>The splits: <c>train</c> (data_batch_1..5.bin) and <c>test</c> (test_batch.bin).</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "test"];

    /// <summary>The standard class names, used when <c>batches.meta.txt</c> is absent.</summary>
    public static IReadOnlyList<string> StandardClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The batch files of a split, in reading order.</summary>
    public static IReadOnlyList<string> BatchFiles(string split) => split == "train"
        ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]
        : ["test_batch.bin"];

    /// <summary>
    /// Loads a split from <paramref name="dataDir"/> (or its <c>cifar-10-batches-bin</c> subfolder);
    /// class names come from <c>batches.meta.txt</c> when present.
    /// </summary>
    public static ImageDataset Load(string dataDir, string split)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        DataFiles.RequireSplit(Name, split, Splits);
        DataFiles.RequireDirectory(dataDir, "CIFAR-10 data", "pass --data-dir with the folder of the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)");
        var dir = DataFiles.ResolveArchiveFolder(dataDir, BatchFiles(split)[0], ArchiveFolder);

        var files = BatchFiles(split).Select(f => DataFiles.RequireFile(dir, f, "CIFAR-10 batch")).ToArray();
        var lengths = files.Select(f => new FileInfo(f).Length).ToArray();
        for (var i = 0; i < files.Length; i++)
        {
            if (lengths[i] == 0 || lengths[i] % RecordSize != 0)
            {
                throw new HypersphereException(
                    ErrorKind.Corrupt,
                    $"'{files[i]}' is {lengths[i]} bytes, but a CIFAR-10 batch must be a positive multiple of the {RecordSize}-byte record (1 label + 3×32×32 pixels); {lengths[i] / RecordSize} whole records and {lengths[i] % RecordSize} bytes left over");
            }
        }

        var count = lengths.Sum() / RecordSize;
        var imageSize = RecordSize - 1;
        var pixels = new byte[DataFiles.PixelBytes($"{Name}/{split}", count, Channels, Height, Width)];
        var labels = new int[count];
        var classNames = DataFiles.ReadClassNames(Path.Combine(dir, "batches.meta.txt"), StandardClassNames);
        var image = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length != lengths[Array.IndexOf(files, file)])
            {
                throw new HypersphereException(ErrorKind.Corrupt, $"'{file}' changed size while it was being read");
            }

            for (var offset = 0; offset < bytes.Length; offset += RecordSize, image++)
            {
                var label = bytes[offset];
                if (label >= classNames.Count)
                {
                    throw new HypersphereException(
                        ErrorKind.Corrupt,
                        $"'{file}' has label {label} in record {offset / RecordSize} (byte offset {offset}), but CIFAR-10 labels must be 0..{classNames.Count - 1}");
                }

                labels[image] = label;
                bytes.AsSpan(offset + 1, imageSize).CopyTo(pixels.AsSpan(image * imageSize));
            }
        }

        return new ImageDataset($"{Name}/{split}", pixels, labels, Channels, Height, Width, classNames);
    }
}
