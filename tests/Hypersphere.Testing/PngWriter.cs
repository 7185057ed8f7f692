using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Hypersphere.Testing;

/// <summary>PNG files written by hand from the specification: inputs no encoder would produce, and images encoded independently of SkiaSharp.</summary>
public static class PngWriter
{
    /// <summary>
    /// A valid PNG header declaring <paramref name="width"/>×<paramref name="height"/> RGB, followed by a tiny
    /// IDAT (a few rows of zeros) and IEND: what a decompression bomb's first bytes look like.
    /// </summary>
    public static byte[] HeaderOnly(int width, int height) => Write(width, height, colourType: 2, z => z.Write(new byte[4096]));

    /// <summary>An 8-bit grayscale PNG (colour type 0) of row-major <paramref name="pixels"/>, every row unfiltered.</summary>
    public static byte[] Gray(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNotEqual(pixels.Length, width * height);
        return Write(width, height, colourType: 0, z =>
        {
            for (var y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter type None
                z.Write(pixels, y * width, width);
            }
        });
    }

    private static byte[] Write(int width, int height, byte colourType, Action<Stream> writeImageData)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; compression, filter and interlace methods 0
        ihdr[9] = colourType;
        Chunk(png, "IHDR", ihdr);
        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
            {
                writeImageData(z);
            }

            Chunk(png, "IDAT", idat.ToArray());
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    // PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
