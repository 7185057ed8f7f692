using System.Diagnostics;
using System.Globalization;
using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;

namespace Hypersphere.Training.Tests.Data;

/// <summary>Loads Debian's real Fashion-MNIST once for the tests that check it.</summary>
public sealed class FashionMnistFixture
{
    public ImageDataset Train { get; } = FashionMnist.Load(FashionMnist.DefaultDataDir, "train");

    public ImageDataset Test { get; } = FashionMnist.Load(FashionMnist.DefaultDataDir, "test");
}

public sealed class FashionMnistTests(FashionMnistFixture real) : IClassFixture<FashionMnistFixture>
{
    [Fact]
    public void DebianPackageHasTheDocumentedSplitSizesAndShape()
    {
        // Xiao et al. 2017: 60000 training and 10000 test images of 28×28, 10 balanced classes.
        Assert.Equal((60000, 1, 28, 28), (real.Train.Count, real.Train.Channels, real.Train.Height, real.Train.Width));
        Assert.Equal((10000, 1, 28, 28), (real.Test.Count, real.Test.Channels, real.Test.Height, real.Test.Width));
        Assert.Equal(60000 * 28 * 28, real.Train.Pixels.Length);
        Assert.Equal(Enumerable.Repeat(6000, 10), Histogram(real.Train.Labels));
        Assert.Equal(Enumerable.Repeat(1000, 10), Histogram(real.Test.Labels));
        Assert.Equal("fashion-mnist/train", real.Train.Name);
    }

    [Fact]
    public void FirstTrainingImageIsAnAnkleBoot()
    {
        Assert.Equal(9, real.Train.Labels[0]);
        Assert.Equal("Ankle boot", real.Train.ClassNames[real.Train.Labels[0]]);
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            real.Train.ClassNames);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("t10k")]
    public async Task AgreesWithPythonsGzipReadingOfTheSameFiles(string prefix)
    {
        var data = prefix == "train" ? real.Train : real.Test;
        var python = await IndependentSummary(prefix);

        Assert.Equal(python["dims"], $"{data.Count} {data.Height} {data.Width}");
        Assert.Equal(python["first_labels"], string.Join(' ', data.Labels.Take(20)));
        Assert.Equal(python["histogram"], string.Join(' ', Histogram(data.Labels)));
        Assert.Equal(python["first_image"], Convert.ToHexString(data.Pixels, 0, 28 * 28));
        Assert.Equal(python["last_image"], Convert.ToHexString(data.Pixels, data.Pixels.Length - (28 * 28), 28 * 28));
        Assert.Equal(python["pixel_sum"], data.Pixels.Sum(p => (long)p).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MissingFolderNamesTheFolderTheDebianPackageAndTheOption()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-fashion-mnist-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<HypersphereException>(() => FashionMnist.Load(missing, "train"));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderWithoutTheTestFilesIsNotFoundNamingTheFile()
    {
        using var folder = new TempFolder();

        var e = Assert.Throws<HypersphereException>(() => FashionMnist.Load(folder.Path, "test"));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsUncompressedFilesWithoutTheGzSuffix()
    {
        using var folder = new TempFolder();
        byte[] pixels = [.. Enumerable.Range(0, 2 * 28 * 28).Select(i => (byte)(i % 253))];
        File.WriteAllBytes(folder.File("t10k-images-idx3-ubyte"), IdxWriter.Bytes(0x803, [2, 28, 28], pixels));
        File.WriteAllBytes(folder.File("t10k-labels-idx1-ubyte"), IdxWriter.Bytes(0x801, [2], [5, 3]));

        var data = FashionMnist.Load(folder.Path, "test");

        Assert.Equal([5, 3], data.Labels);
        Assert.Equal(pixels, data.Pixels);
    }

    [Fact]
    public void UnknownSplitIsABadRequestListingTheSplits()
    {
        var e = Assert.Throws<HypersphereException>(() => FashionMnist.Load(FashionMnist.DefaultDataDir, "validation"));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("'train', 'test'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'validation'", e.Message, StringComparison.Ordinal);
    }

    private static int[] Histogram(int[] labels)
    {
        var counts = new int[10];
        foreach (var label in labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>Reads the gzipped IDX files with python3's gzip and struct modules: a second, independent decoder.</summary>
    private static async Task<Dictionary<string, string>> IndependentSummary(string prefix)
    {
        const string script = """
            import gzip, struct, sys
            d, p = sys.argv[1], sys.argv[2]
            img = gzip.open(f"{d}/{p}-images-idx3-ubyte.gz").read()
            lab = gzip.open(f"{d}/{p}-labels-idx1-ubyte.gz").read()
            magic, n, rows, cols = struct.unpack(">IIII", img[:16])
            lmagic, ln = struct.unpack(">II", lab[:8])
            assert magic == 0x803 and lmagic == 0x801 and n == ln, (magic, lmagic, n, ln)
            labels = lab[8:]
            pixels = img[16:]
            print("dims", n, rows, cols)
            print("first_labels", " ".join(str(v) for v in labels[:20]))
            print("histogram", " ".join(str(labels.count(k)) for k in range(10)))
            print("first_image", pixels[:rows * cols].hex().upper())
            print("last_image", pixels[-rows * cols:].hex().upper())
            print("pixel_sum", sum(pixels))
            """;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", script, FashionMnist.DefaultDataDir, prefix })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 failed: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }
}
