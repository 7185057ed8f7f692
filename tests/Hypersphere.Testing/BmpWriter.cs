using System.Buffers.Binary;

namespace Hypersphere.Testing;

/// <summary>24-bit BI_RGB BMP files written by hand from the format description (Skia cannot encode BMP).</summary>
public static class BmpWriter
{
    /// <summary>A bottom-up BMP whose pixel (x, y), top row first, is <paramref name="pixel"/>(x, y); rows of BGR padded to 4 bytes.</summary>
    public static byte[] Encode(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var stride = ((3 * width) + 3) / 4 * 4;
        var bytes = new byte[54 + (stride * height)];
        "BM"u8.CopyTo(bytes);
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
            var row = 54 + ((height - 1 - y) * stride); // bottom-up
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                (bytes[row + (3 * x)], bytes[row + (3 * x) + 1], bytes[row + (3 * x) + 2]) = (b, g, r); // stored B, G, R
            }
        }

        return bytes;
    }

    /// <summary>A BMP of <paramref name="rgb"/>: row-major, top row first, 3 bytes a pixel.</summary>
    public static byte[] FromRgb(int width, int height, byte[] rgb) =>
        Encode(width, height, (x, y) =>
        {
            var p = 3 * ((y * width) + x);
            return (rgb[p], rgb[p + 1], rgb[p + 2]);
        });

    /// <summary>A BMP of gray pixels (R = G = B, so BT.601 luma gives the same value back), row-major, top row first.</summary>
    public static byte[] FromGray(int width, int height, byte[] gray) =>
        Encode(width, height, (x, y) =>
        {
            var v = gray[(y * width) + x];
            return (v, v, v);
        });
}
