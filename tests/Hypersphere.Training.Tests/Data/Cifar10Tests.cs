using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;

namespace Hypersphere.Training.Tests.Data;

public sealed class Cifar10Tests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A value that differs by image, channel, row and column (and not symmetrically in row and column).</summary>
    private static byte Pixel(int image, int c, int y, int x) => (byte)((image * 37) + (c * 101) + (y * 5) + (x * 3));

    [Fact]
    public void ReadsTheFiveTrainingBatchesInOrderAsChannelFirstRgb()
    {
        // Batch b holds images 2b, 2b+1 with labels (2b) mod 10 and (2b+1) mod 10... written as the format describes.
        for (var b = 1; b <= 5; b++)
        {
            WriteBatch(_folder.Path, $"data_batch_{b}.bin", [(2 * (b - 1)) + 0, (2 * (b - 1)) + 1], firstImage: 2 * (b - 1));
        }

        var data = Cifar10.Load(_folder.Path, "train");

        Assert.Equal((10, 3, 32, 32), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(Enumerable.Range(0, 10), data.Labels);
        for (var i = 0; i < 10; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < 32; y++)
                {
                    for (var x = 0; x < 32; x++)
                    {
                        Assert.Equal(Pixel(i, c, y, x), TestFiles.At(data, i, c, y, x));
                    }
                }
            }
        }
    }

    [Fact]
    public void TestSplitUsesTestBatchAndTheStandardNamesWithoutMetaFile()
    {
        WriteBatch(_folder.Path, "test_batch.bin", [3, 8, 0], firstImage: 0);

        var data = Cifar10.Load(_folder.Path, "test");

        Assert.Equal("cifar10/test", data.Name);
        Assert.Equal([3, 8, 0], data.Labels);
        Assert.Equal(Pixel(2, 2, 31, 0), TestFiles.At(data, 2, 2, 31, 0));
        // The names of the CIFAR-10 classes in label order, as published with the data set.
        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], data.ClassNames);
    }

    [Fact]
    public void ClassNamesComeFromBatchesMetaTxtAndTheArchiveFolderIsFound()
    {
        var dir = _folder.Folder("cifar-10-batches-bin");
        WriteBatch(dir, "test_batch.bin", [1], firstImage: 0);
        string[] names = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"];
        File.WriteAllText(Path.Combine(dir, "batches.meta.txt"), string.Join('\n', names) + "\n\n");

        var data = Cifar10.Load(_folder.Path, "test");

        Assert.Equal(names, data.ClassNames);
    }

    [Fact]
    public void BatchWhoseSizeIsNotAWholeNumberOfRecordsIsCorrupt()
    {
        var file = WriteBatch(_folder.Path, "test_batch.bin", [1, 2], firstImage: 0);
        File.AppendAllText(file, "x");

        var e = Assert.Throws<HypersphereException>(() => Cifar10.Load(_folder.Path, "test"));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains($"is {(2 * 3073) + 1} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("3073-byte record", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelAboveNineIsCorrupt()
    {
        WriteBatch(_folder.Path, "test_batch.bin", [4, 10], firstImage: 0);

        var e = Assert.Throws<HypersphereException>(() => Cifar10.Load(_folder.Path, "test"));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("label 10 in record 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTrainingBatchIsNotFoundNamingIt()
    {
        foreach (var b in new[] { 1, 2, 4, 5 })
        {
            WriteBatch(_folder.Path, $"data_batch_{b}.bin", [0], firstImage: 0);
        }

        var e = Assert.Throws<HypersphereException>(() => Cifar10.Load(_folder.Path, "train"));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("data_batch_3.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFolderIsNotFound()
    {
        var missing = _folder.File("absent");

        var e = Assert.Throws<HypersphereException>(() => Cifar10.Load(missing, "train"));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Records of 1 label byte + 1024 R + 1024 G + 1024 B bytes, each plane row-major 32×32.</summary>
    internal static string WriteBatch(string dir, string name, int[] labels, int firstImage)
    {
        using var output = new MemoryStream();
        for (var r = 0; r < labels.Length; r++)
        {
            output.WriteByte((byte)labels[r]);
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < 32; y++)
                {
                    for (var x = 0; x < 32; x++)
                    {
                        output.WriteByte(Pixel(firstImage + r, c, y, x));
                    }
                }
            }
        }

        var file = Path.Combine(dir, name);
        File.WriteAllBytes(file, output.ToArray());
        return file;
    }
}
