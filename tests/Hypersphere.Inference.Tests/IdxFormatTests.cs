using Hypersphere.Core.Errors;
using Hypersphere.Inference.Formats;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

public sealed class IdxFormatTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsDimensionsAndPixelsPlainOrGzipped(bool gzip)
    {
        byte[] pixels = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i)];
        IdxWriter.WriteImages(_temp.File("x"), pixels, 2, 3, 4, gzip);

        var images = IdxFormat.ReadImages(_temp.File("x"));

        Assert.Equal((2, 3, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(pixels, images.Pixels);
        Assert.True(IdxFormat.LooksLikeImageFile(_temp.File("x")));
    }

    [Fact]
    public void ALabelFileIsNotAnImageFile()
    {
        File.WriteAllBytes(_temp.File("labels"), [0, 0, 8, 1, 0, 0, 0, 1, 7]);

        var e = Assert.Throws<HypersphereException>(() => IdxFormat.ReadImages(_temp.File("labels")));

        Assert.False(IdxFormat.LooksLikeImageFile(_temp.File("labels")));
        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("0x00000801", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000803", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedFileIsCorruptWithBothSizes()
    {
        IdxWriter.WriteImages(_temp.File("x"), new byte[10], 1, 3, 4, gzip: false);

        var e = Assert.Throws<HypersphereException>(() => IdxFormat.ReadImages(_temp.File("x")));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("declares 1×3×4 = 12 data bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 10 data bytes", e.Message, StringComparison.Ordinal);
    }
}
