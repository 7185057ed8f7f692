using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;

namespace Hypersphere.Training.Tests.Data;

public sealed class Stl10Tests : IDisposable
{
    private const int Side = 96;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Asymmetric in row and column, so an untransposed read gives different values almost everywhere.</summary>
    private static byte Pixel(int image, int c, int y, int x) => (byte)((image * 41) + (c * 67) + (y * 2) + (x * 7));

    [Fact]
    public void TransposesColumnMajorImagesAndShiftsLabelsToZeroBased()
    {
        WriteImages("train", firstImage: 0, count: 2);
        File.WriteAllBytes(_folder.File("train_y.bin"), [1, 10]);

        var data = Stl10.Load(_folder.Path, "train");

        Assert.Equal((2, 3, Side, Side), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([0, 9], data.Labels);
        for (var i = 0; i < 2; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < Side; y++)
                {
                    for (var x = 0; x < Side; x++)
                    {
                        Assert.Equal(Pixel(i, c, y, x), TestFiles.At(data, i, c, y, x));
                    }
                }
            }
        }
    }

    [Fact]
    public void TrainPlusUnlabeledIsTrainThenUnlabeledWithMinusOne()
    {
        WriteImages("train", firstImage: 0, count: 2);
        File.WriteAllBytes(_folder.File("train_y.bin"), [3, 7]);
        WriteImages("unlabeled", firstImage: 2, count: 3);

        var data = Stl10.Load(_folder.Path, "train+unlabeled");

        Assert.Equal("stl10/train+unlabeled", data.Name);
        Assert.Equal([2, 6, -1, -1, -1], data.Labels);
        Assert.Equal(Pixel(4, 1, 90, 3), TestFiles.At(data, 4, 1, 90, 3));
        Assert.Equal(Pixel(1, 2, 5, 80), TestFiles.At(data, 1, 2, 5, 80));
    }

    [Fact]
    public void MaxImagesTakesTheFirstImagesAcrossParts()
    {
        WriteImages("train", firstImage: 0, count: 2);
        File.WriteAllBytes(_folder.File("train_y.bin"), [3, 7]);
        WriteImages("unlabeled", firstImage: 2, count: 3);

        var data = Stl10.Load(_folder.Path, "train+unlabeled", maxImages: 3);

        Assert.Equal([2, 6, -1], data.Labels);
        Assert.Equal(3 * 3 * Side * Side, data.Pixels.Length);
        Assert.Equal(Pixel(2, 0, 10, 20), TestFiles.At(data, 2, 0, 10, 20));
    }

    [Fact]
    public void TestSplitReadsClassNamesTxtAndTheArchiveFolder()
    {
        var dir = _folder.Folder("stl10_binary");
        WriteImages("test", firstImage: 0, count: 1, dir);
        File.WriteAllBytes(Path.Combine(dir, "test_y.bin"), [5]);
        string[] names = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"];
        File.WriteAllLines(Path.Combine(dir, "class_names.txt"), names);

        var data = Stl10.Load(_folder.Path, "test");

        Assert.Equal([4], data.Labels);
        Assert.Equal(names, data.ClassNames);
    }

    [Fact]
    public void WithoutClassNamesTxtTheStandardNamesAreUsed()
    {
        WriteImages("test", firstImage: 0, count: 1);
        File.WriteAllBytes(_folder.File("test_y.bin"), [2]);

        var data = Stl10.Load(_folder.Path, "test");

        // STL-10's class_names.txt, in label order 1..10.
        Assert.Equal(["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"], data.ClassNames);
    }

    [Fact]
    public void ResizingWhileReadingKeepsOrientationAndColours()
    {
        // Left half (x < 48) dark red, right half light blue; the top rows carry a green bar.
        static byte Split(int c, int y, int x) => c switch
        {
            0 => (byte)(x < 48 ? 120 : 10),
            1 => (byte)(y < 24 ? 200 : 0),
            _ => (byte)(x < 48 ? 0 : 230),
        };
        WriteImages("test", 0, 1, _folder.Path, (_, c, y, x) => Split(c, y, x));
        File.WriteAllBytes(_folder.File("test_y.bin"), [1]);

        var data = Stl10.Load(_folder.Path, "test", height: 48, width: 48);

        Assert.Equal((3, 48, 48), (data.Channels, data.Height, data.Width));
        // Far from the edges every output pixel lies in one constant region of the input.
        foreach (var (y, x) in new[] { (2, 2), (40, 5), (3, 44), (40, 40) })
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.InRange(TestFiles.At(data, 0, c, y, x), Split(c, y * 2, x * 2) - 1, Split(c, y * 2, x * 2) + 1);
            }
        }
    }

    [Fact]
    public void LabelCountDifferentFromImageCountIsCorrupt()
    {
        WriteImages("train", firstImage: 0, count: 2);
        File.WriteAllBytes(_folder.File("train_y.bin"), [1, 2, 3]);

        var e = Assert.Throws<HypersphereException>(() => Stl10.Load(_folder.Path, "train"));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("holds 3 labels", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 2 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroLabelIsCorruptBecauseLabelsAreOneBased()
    {
        WriteImages("train", firstImage: 0, count: 2);
        File.WriteAllBytes(_folder.File("train_y.bin"), [1, 0]);

        var e = Assert.Throws<HypersphereException>(() => Stl10.Load(_folder.Path, "train"));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("label 0 at index 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("1..10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageFileWithAPartialImageIsCorrupt()
    {
        var file = WriteImages("test", firstImage: 0, count: 1);
        File.AppendAllText(file, "xyz");
        File.WriteAllBytes(_folder.File("test_y.bin"), [1]);

        var e = Assert.Throws<HypersphereException>(() => Stl10.Load(_folder.Path, "test"));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains($"is {(3 * Side * Side) + 3} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("27648", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FullSizeUnlabeledSplitIsTooLargeForOneArrayAndSaysSo()
    {
        // The real unlabeled_X.bin: 100000 images of 3×96×96 = 2764800000 bytes (a sparse file here).
        using (var stream = File.Create(_folder.File("unlabeled_X.bin")))
        {
            stream.SetLength(100000L * 3 * Side * Side);
        }

        var e = Assert.Throws<HypersphereException>(() => Stl10.Load(_folder.Path, "unlabeled"));

        Assert.Equal(ErrorKind.TooLarge, e.Kind);
        Assert.Contains("100000 images of 3×96×96 = 2764800000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSplitListsTheFourSplits()
    {
        var e = Assert.Throws<HypersphereException>(() => Stl10.Load(_folder.Path, "unlabelled"));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("'train', 'test', 'unlabeled', 'train+unlabeled'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes images as MATLAB does: per channel, column by column (x outer, y inner).</summary>
    private string WriteImages(string part, int firstImage, int count, string? dir = null, Func<int, int, int, int, byte>? pixel = null)
    {
        pixel ??= Pixel;
        var bytes = new byte[count * 3 * Side * Side];
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var x = 0; x < Side; x++)
                {
                    for (var y = 0; y < Side; y++)
                    {
                        bytes[k++] = pixel(firstImage + i, c, y, x);
                    }
                }
            }
        }

        var file = Path.Combine(dir ?? _folder.Path, $"{part}_X.bin");
        File.WriteAllBytes(file, bytes);
        return file;
    }
}
