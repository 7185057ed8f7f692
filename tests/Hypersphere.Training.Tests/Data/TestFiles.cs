using System.Buffers.Binary;
using System.IO.Compression;
using Hypersphere.Training.Data;
using SkiaSharp;

namespace Hypersphere.Training.Tests.Data;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hypersphere-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Folder(params string[] parts)
    {
        var dir = File(parts);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Writers for the on-disk formats, following the format descriptions rather than the readers.</summary>
internal static class TestFiles
{
    /// <summary>An IDX file: big-endian magic, big-endian dimension sizes, then the bytes.</summary>
    public static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + (4 * dims.Length) + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var d = 0; d < dims.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * d)), dims[d]);
        }

        data.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Encodes straight (unpremultiplied) RGBA pixels, row-major, with Skia.</summary>
    public static byte[] Encode(SKEncodedImageFormat format, int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel, int quality = 100)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var span = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                var o = (y * bitmap.RowBytes) + (4 * x);
                (span[o], span[o + 1], span[o + 2], span[o + 3]) = (r, g, b, a);
            }
        }

        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A 24-bit BMP written by hand (Skia cannot encode BMP): bottom-up rows of BGR, padded to 4 bytes.</summary>
    public static byte[] Bmp(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var stride = ((3 * width) + 3) / 4 * 4;
        var bytes = new byte[54 + (stride * height)];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), stride * height);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + ((height - 1 - y) * stride);
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                (bytes[row + (3 * x)], bytes[row + (3 * x) + 1], bytes[row + (3 * x) + 2]) = (b, g, r);
            }
        }

        return bytes;
    }

    /// <summary>Pixel (c, y, x) of image i of a channel-first data set.</summary>
    public static byte At(ImageDataset data, int i, int c, int y, int x) =>
        data.Pixels[(i * data.ImageSize) + (((c * data.Height) + y) * data.Width) + x];
}
