using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;
using SkiaSharp;

namespace Hypersphere.Training.Tests.Data;

public sealed class DatasetCatalogTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void UnknownNameIsABadRequestListingTheKnownNames()
    {
        var e = Assert.Throws<HypersphereException>(() => DatasetCatalog.Load("mnist", null, "train"));

        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("'mnist'", e.Message, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist, cifar10, stl10, folder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fashion-mnist", 1, 28, 28)]
    [InlineData("cifar10", 3, 32, 32)]
    [InlineData("CIFAR-10", 3, 32, 32)]
    [InlineData("stl10", 3, 96, 96)]
    [InlineData("STL-10", 3, 96, 96)]
    [InlineData("folder", 3, 64, 64)]
    public void DescribesTheNaturalImageShape(string name, int channels, int height, int width)
    {
        var spec = DatasetCatalog.Describe(name);

        Assert.Equal((channels, height, width), (spec.Channels, spec.Height, spec.Width));
    }

    [Fact]
    public void OnlyFashionMnistHasADefaultFolder()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", DatasetCatalog.Describe("fashion-mnist").DefaultDataDir);
        var e = Assert.Throws<HypersphereException>(() => DatasetCatalog.Load("cifar10", null, "train"));
        Assert.Equal(ErrorKind.BadRequest, e.Kind);
        Assert.Contains("--data-dir", e.Message, StringComparison.Ordinal);
        Assert.Contains("data_batch_1.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FashionMnistFromTheDefaultFolderCanBeLimitedAndWidenedToRgb()
    {
        var gray = DatasetCatalog.Load("fashion-mnist", null, "test", maxImages: 50);
        var rgb = DatasetCatalog.Load("fashion-mnist", null, "test", channels: 3, maxImages: 50);

        Assert.Equal((50, 1, 28, 28), (gray.Count, gray.Channels, gray.Height, gray.Width));
        Assert.Equal((50, 3), (rgb.Count, rgb.Channels));
        Assert.Equal(gray.Labels, rgb.Labels);
        for (var i = 0; i < 50; i += 7)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(
                    gray.Pixels.AsSpan(i * 784, 784).ToArray(),
                    rgb.Pixels.AsSpan((i * 3 * 784) + (c * 784), 784).ToArray());
            }
        }
    }

    [Fact]
    public void CifarByAliasAtAnotherSize()
    {
        Cifar10Tests.WriteBatch(_folder.Path, "test_batch.bin", [6, 2], firstImage: 0);

        var data = DatasetCatalog.Load("CIFAR-10", _folder.Path, "test", channels: 1, height: 16, width: 16);

        Assert.Equal((2, 1, 16, 16), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([6, 2], data.Labels);
    }

    [Fact]
    public void StlThroughTheCatalogIsResizedWhileReading()
    {
        File.WriteAllBytes(_folder.File("test_X.bin"), Enumerable.Repeat((byte)77, 2 * 3 * 96 * 96).ToArray());
        File.WriteAllBytes(_folder.File("test_y.bin"), [1, 2]);

        var data = DatasetCatalog.Load("stl10", _folder.Path, "test", height: 64, width: 64);

        Assert.Equal((2, 3, 64, 64), (data.Count, data.Channels, data.Height, data.Width));
        Assert.All(data.Pixels, p => Assert.InRange(p, 76, 78));
    }

    [Fact]
    public void FolderDefaultsToRgb64AndUsesASplitSubfolderWhenThereIsOne()
    {
        WritePng("train/a/1.png", (5, 6, 7));
        WritePng("train/b/1.png", (8, 9, 10));
        WritePng("test/a/1.png", (11, 12, 13));

        var train = DatasetCatalog.Load("folder", _folder.Path, "train");
        var test = DatasetCatalog.Load("folder", _folder.Path, "test");

        Assert.Equal((2, 3, 64, 64), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal([5, 8], new[] { TestFiles.At(train, 0, 0, 0, 0), TestFiles.At(train, 1, 0, 0, 0) });
        Assert.Equal(1, test.Count);
        Assert.Equal(11, TestFiles.At(test, 0, 0, 0, 0));
    }

    [Fact]
    public void FolderWithoutSplitSubfoldersIsTrainOnlyAndNeverSilentlyTestedOnTrain()
    {
        WritePng("a/1.png", (5, 6, 7));

        var train = DatasetCatalog.Load("folder", _folder.Path, "train", height: 4, width: 4);
        var e = Assert.Throws<HypersphereException>(() => DatasetCatalog.Load("folder", _folder.Path, "test"));

        Assert.Equal(["a"], train.ClassNames);
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("no subfolder 'test'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonPositiveImageLimitIsInvalid()
    {
        var e = Assert.Throws<HypersphereException>(() => DatasetCatalog.Load("fashion-mnist", null, "test", maxImages: 0));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("but was 0", e.Message, StringComparison.Ordinal);
    }

    private void WritePng(string relative, (byte R, byte G, byte B) colour)
    {
        var path = _folder.File(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestFiles.Encode(SKEncodedImageFormat.Png, 16, 16, (_, _) => (colour.R, colour.G, colour.B, 255)));
    }
}
