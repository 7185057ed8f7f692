using System.Buffers.Binary;
using System.Text;

namespace Hypersphere.Testing;

/// <summary>
/// Builds .npy files byte by byte from the format specification (numpy.lib.format), independently of
/// the writer under test, so the reader can be fed headers and payloads of every kind, valid or not.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Named after the NumPy dtypes the payloads hold.")]
public static class NpyBytes
{
    /// <summary>A file with the given header dict literal and payload; the header is space-padded to 64 bytes with a final newline.</summary>
    public static byte[] File(string dict, byte[] payload, int major = 1)
    {
        var preamble = major == 1 ? 10 : 12;
        var total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        var header = Encoding.ASCII.GetBytes(dict.PadRight(total - preamble - 1) + "\n");
        var bytes = new byte[preamble + header.Length + payload.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = (byte)major;
        bytes[7] = 0;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        }

        header.CopyTo(bytes, preamble);
        payload.CopyTo(bytes, preamble + header.Length);
        return bytes;
    }

    /// <summary>Little- or big-endian float64 payload bytes.</summary>
    public static byte[] Float64(IEnumerable<double> values, bool bigEndian = false) =>
        values.SelectMany(v =>
        {
            var b = new byte[8];
            if (bigEndian)
            {
                BinaryPrimitives.WriteDoubleBigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            }

            return b;
        }).ToArray();

    /// <summary>Little- or big-endian float32 payload bytes.</summary>
    public static byte[] Float32(IEnumerable<float> values, bool bigEndian = false) =>
        values.SelectMany(v =>
        {
            var b = new byte[4];
            if (bigEndian)
            {
                BinaryPrimitives.WriteSingleBigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
            }

            return b;
        }).ToArray();

    /// <summary>Little-endian int64 payload bytes.</summary>
    public static byte[] Int64(IEnumerable<long> values) =>
        values.SelectMany(v =>
        {
            var b = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            return b;
        }).ToArray();

    /// <summary>Big-endian int32 payload bytes.</summary>
    public static byte[] Int32BigEndian(IEnumerable<int> values) =>
        values.SelectMany(v =>
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            return b;
        }).ToArray();
}
