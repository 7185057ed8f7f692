using Hypersphere.Core.Errors;
using Hypersphere.Training.Data;

namespace Hypersphere.Training.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private const int Count = 3, Rows = 2, Columns = 4;
    private readonly TempFolder _folder = new();

    // Every byte distinct and position-dependent, so a reordering or an offset shows.
    private static readonly byte[] Pixels = Enumerable.Range(0, Count * Rows * Columns).Select(i => (byte)(7 + (i * 11))).ToArray();
    private static readonly byte[] LabelBytes = [2, 0, 1];

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesPlainAndGzipped(bool gzipped)
    {
        var file = Write("images", IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels), gzipped);

        var images = IdxFile.ReadImages(file);

        Assert.Equal((Count, Rows, Columns), (images.Count, images.Rows, images.Columns));
        Assert.Equal(Pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsLabelsPlainAndGzipped(bool gzipped)
    {
        var file = Write("labels", IdxWriter.Bytes(0x801, [Count], LabelBytes), gzipped);

        Assert.Equal(LabelBytes, IdxFile.ReadLabels(file));
    }

    [Fact]
    public void DetectsGzipByContentNotByName()
    {
        var gzippedWithoutSuffix = _folder.File("images-idx3-ubyte");
        File.WriteAllBytes(gzippedWithoutSuffix, IdxWriter.Gzip(IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels)));
        var plainWithSuffix = _folder.File("labels-idx1-ubyte.gz");
        File.WriteAllBytes(plainWithSuffix, IdxWriter.Bytes(0x801, [Count], LabelBytes));

        Assert.Equal(Pixels, IdxFile.ReadImages(gzippedWithoutSuffix).Pixels);
        Assert.Equal(LabelBytes, IdxFile.ReadLabels(plainWithSuffix));
    }

    [Fact]
    public void LoadPairsImagesWithLabelsAsOneGrayscaleDataset()
    {
        var images = Write("images", IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels), gzipped: true);
        var labels = Write("labels", IdxWriter.Bytes(0x801, [Count], LabelBytes), gzipped: false);

        var data = IdxFile.Load("toy/train", images, labels, ["a", "b", "c"]);

        Assert.Equal(("toy/train", 3, 1, Rows, Columns), (data.Name, data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([2, 0, 1], data.Labels);
        Assert.Equal(["a", "b", "c"], data.ClassNames);
        Assert.Equal(Pixels[(2 * Rows * Columns) + Columns + 3], TestFiles.At(data, 2, 0, 1, 3));
    }

    [Fact]
    public void ImageFileWithLabelMagicIsCorruptAndNamesBothMagics()
    {
        var file = Write("images", IdxWriter.Bytes(0x801, [Count], LabelBytes), gzipped: false);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadImages(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000801", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000803", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsCorruptWithExpectedAndActualSizes(bool gzipped)
    {
        // Header promises 3×2×4 = 24 data bytes; only 20 follow.
        var file = Write("images", IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels[..20]), gzipped);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadImages(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("3×2×4 = 24 data bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 20 data bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingBytesAreCorrupt()
    {
        var file = Write("labels", IdxWriter.Bytes(0x801, [Count], [.. LabelBytes, 9, 9]), gzipped: true);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadLabels(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("declares 3 = 3 data bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 5 data bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderShorterThanItsDimensionsIsCorrupt()
    {
        var file = _folder.File("short");
        File.WriteAllBytes(file, IdxWriter.Bytes(0x803, [Count, Rows, Columns], [])[..10]);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadImages(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("needs 16 bytes, but the file holds 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CutGzipStreamIsCorrupt()
    {
        var whole = IdxWriter.Gzip(IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels));
        var file = _folder.File("cut.gz");
        File.WriteAllBytes(file, whole[..(whole.Length / 2)]);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadImages(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageAfterGzipMagicIsCorrupt()
    {
        var file = _folder.File("garbage.gz");
        File.WriteAllBytes(file, [0x1F, 0x8B, 0x08, 0x00, .. Enumerable.Repeat((byte)0xFF, 64)]);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadImages(file));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DifferentImageAndLabelCountsAreAnError()
    {
        var images = Write("images", IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels), gzipped: false);
        var labels = Write("labels", IdxWriter.Bytes(0x801, [2], LabelBytes[..2]), gzipped: false);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.Load("toy", images, labels, ["a", "b", "c"]));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("holds 3 images", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 2 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelBeyondTheClassNamesIsCorrupt()
    {
        var images = Write("images", IdxWriter.Bytes(0x803, [Count, Rows, Columns], Pixels), gzipped: false);
        var labels = Write("labels", IdxWriter.Bytes(0x801, [Count], [0, 1, 2]), gzipped: false);

        var e = Assert.Throws<HypersphereException>(() => IdxFile.Load("toy", images, labels, ["a", "b"]));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("label 2 at index 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("0..1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var e = Assert.Throws<HypersphereException>(() => IdxFile.ReadLabels(_folder.File("nope")));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(_folder.File("nope"), e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] idx, bool gzipped)
    {
        var file = _folder.File(name + (gzipped ? ".gz" : string.Empty));
        File.WriteAllBytes(file, gzipped ? IdxWriter.Gzip(idx) : idx);
        return file;
    }
}
