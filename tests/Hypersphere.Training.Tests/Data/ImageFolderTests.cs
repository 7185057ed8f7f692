using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;
using SkiaSharp;

namespace Hypersphere.Training.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Zebra/one.bmp, ant/a.png, ant/b.jpg, cat/x.PNG (upper-case extension), cat/sub/y.webp, plus files
    /// that are not images and a hidden folder, all to be skipped.
    /// </summary>
    private string WriteClasses(int size = 8)
    {
        Write("Zebra/one.bmp", BmpWriter.Encode(size, size, (x, _) => x < size / 2 ? ((byte)250, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)250)));
        Write("ant/a.png", TestFiles.Encode(SKEncodedImageFormat.Png, size, size, (_, y) => y < size / 2 ? ((byte)10, (byte)200, (byte)30, (byte)255) : ((byte)90, (byte)60, (byte)220, (byte)255)));
        Write("ant/b.jpg", TestFiles.Encode(SKEncodedImageFormat.Jpeg, size, size, (_, _) => (200, 100, 50, 255)));
        Write("cat/x.PNG", TestFiles.Encode(SKEncodedImageFormat.Png, size, size, (_, _) => (255, 0, 0, 128)));
        Write("cat/sub/y.webp", TestFiles.Encode(SKEncodedImageFormat.Webp, size, size, (_, _) => (40, 80, 160, 255)));
        Write("cat/notes.txt", "not an image"u8.ToArray());
        Write(".hidden/z.png", TestFiles.Encode(SKEncodedImageFormat.Png, size, size, (_, _) => (1, 2, 3, 255)));
        return _folder.Path;
    }

    [Fact]
    public void ClassesAreSubfoldersInOrdinalOrderAndImagesKeepTheirColours()
    {
        var data = ImageFolder.Load(WriteClasses(), 3, 8, 8);

        // Ordinal: upper-case 'Z' sorts before lower-case letters.
        Assert.Equal(["Zebra", "ant", "cat"], data.ClassNames);
        Assert.Equal([0, 1, 1, 2, 2], data.Labels);
        Assert.Equal((3, 8, 8), (data.Channels, data.Height, data.Width));

        AssertColour(data, 0, 3, 1, (250, 0, 0), 0);     // BMP, left half red
        AssertColour(data, 0, 3, 6, (0, 0, 250), 0);     // BMP, right half blue (rows stored bottom-up)
        AssertColour(data, 1, 1, 5, (10, 200, 30), 0);   // PNG, top half
        AssertColour(data, 1, 6, 5, (90, 60, 220), 0);   // PNG, bottom half
        AssertColour(data, 2, 4, 4, (200, 100, 50), 4);  // JPEG is lossy
        AssertColour(data, 3, 4, 4, (40, 80, 160), 4);   // WebP, nested: "cat/sub/…" sorts before "cat/x…"
        AssertColour(data, 4, 4, 4, (128, 0, 0), 1);     // half-transparent red over black
    }

    [Fact]
    public void GrayscaleUsesTheBt601LumaWeights()
    {
        var data = ImageFolder.Load(WriteClasses(), 1, 8, 8);

        Assert.Equal(8 * 8 * 5, data.Pixels.Length);
        Assert.InRange(TestFiles.At(data, 1, 0, 1, 1), Luma(10, 200, 30) - 1, Luma(10, 200, 30) + 1);
        Assert.InRange(TestFiles.At(data, 1, 0, 7, 1), Luma(90, 60, 220) - 1, Luma(90, 60, 220) + 1);
        Assert.InRange(TestFiles.At(data, 0, 0, 0, 7), Luma(0, 0, 250) - 1, Luma(0, 0, 250) + 1);
    }

    [Fact]
    public void ResizesToTheRequestedSizeKeepingRegions()
    {
        var data = ImageFolder.Load(WriteClasses(size: 40), 3, 10, 20);

        Assert.Equal((10, 20), (data.Height, data.Width));
        Assert.Equal(5 * 3 * 10 * 20, data.Pixels.Length);
        AssertColour(data, 0, 5, 2, (250, 0, 0), 1);
        AssertColour(data, 0, 5, 17, (0, 0, 250), 1);
        AssertColour(data, 1, 1, 10, (10, 200, 30), 1);
        AssertColour(data, 1, 8, 10, (90, 60, 220), 1);

        var enlarged = ImageFolder.Load(_folder.Path, 3, 64, 64);
        AssertColour(enlarged, 0, 30, 4, (250, 0, 0), 1);
        AssertColour(enlarged, 0, 30, 60, (0, 0, 250), 1);
    }

    [Fact]
    public void UndecodableImageIsCorruptNamingTheFile()
    {
        WriteClasses();
        var broken = Write("cat/broken.png", "this is not a PNG"u8.ToArray());

        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.Path, 3, 8, 8));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(broken, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedPngIsCorruptNamingTheFile()
    {
        var png = TestFiles.Encode(SKEncodedImageFormat.Png, 64, 64, (x, y) => ((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y), 255));
        var cut = Write("ant/cut.png", png[..(png.Length / 2)]);

        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.Path, 3, 8, 8));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(cut, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADecompressionBombIsTooLargeNamingTheFileBeforeItsPixelsAreAllocated()
    {
        WriteClasses();
        var bomb = Write("cat/bomb.png", PngWriter.HeaderOnly(6000, 5000));

        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.Path, 3, 8, 8));

        Assert.Equal(ErrorKind.TooLarge, e.Kind);
        Assert.Contains(bomb, e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 25000000 pixels, but was 6000×5000 = 30000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RootWithoutClassFoldersIsInvalid()
    {
        Write("loose.png", TestFiles.Encode(SKEncodedImageFormat.Png, 4, 4, (_, _) => (1, 2, 3, 255)));

        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.Path, 3, 8, 8));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("no class subfolders", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassFolderWithoutImagesIsInvalidAndNamed()
    {
        WriteClasses();
        Write("empty-class/readme.md", "nothing here"u8.ToArray());

        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.Path, 3, 8, 8));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains("empty-class", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRootIsNotFound()
    {
        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(_folder.File("absent"), 3, 8, 8));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(_folder.File("absent"), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 8, 8, "channels must be 1 (grayscale) or 3 (RGB), but was 2")]
    [InlineData(3, 0, 8, "at least 1, but were 0×8")]
    public void BadShapeIsInvalidInput(int channels, int height, int width, string message)
    {
        var e = Assert.Throws<HypersphereException>(() => ImageFolder.Load(WriteClasses(), channels, height, width));

        Assert.Equal(ErrorKind.InvalidInput, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static int Luma(int r, int g, int b) => (int)Math.Round((0.299 * r) + (0.587 * g) + (0.114 * b));

    private static void AssertColour(ImageDataset data, int image, int y, int x, (int R, int G, int B) expected, int tolerance)
    {
        Assert.InRange(TestFiles.At(data, image, 0, y, x), expected.R - tolerance, expected.R + tolerance);
        Assert.InRange(TestFiles.At(data, image, 1, y, x), expected.G - tolerance, expected.G + tolerance);
        Assert.InRange(TestFiles.At(data, image, 2, y, x), expected.B - tolerance, expected.B + tolerance);
    }

    private string Write(string relative, byte[] bytes)
    {
        var path = _folder.File(relative.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
