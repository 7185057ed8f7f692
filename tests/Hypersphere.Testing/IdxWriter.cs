using System.Buffers.Binary;
using System.IO.Compression;

namespace Hypersphere.Testing;

/// <summary>IDX files (the MNIST format) written from the format description rather than from the readers.</summary>
public static class IdxWriter
{
    /// <summary>The magic of an unsigned-byte, three-dimensional IDX file: images, rows, columns.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>An IDX file: big-endian magic, big-endian dimension sizes, then the bytes.</summary>
    public static byte[] Bytes(int magic, int[] dims, byte[] data)
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

    /// <summary>Writes an IDX image file (magic 0x00000803, N, rows, columns, then the pixels) to <paramref name="path"/>, gzipped if asked.</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int columns, bool gzip)
    {
        var bytes = Bytes(ImagesMagic, [count, rows, columns], pixels);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
    }

    /// <summary><paramref name="data"/> as a gzip stream.</summary>
    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
