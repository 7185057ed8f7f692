using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Hypersphere.Inference.Tests.Support;

/// <summary>Writes the .npy inputs the tests feed in, by hand, from the format's specification (the shared formats are in Hypersphere.Testing).</summary>
public static class TestFiles
{
    /// <summary>A version 1.0 .npy file of raw little-endian <paramref name="data"/> with the given dtype and shape.</summary>
    public static void Npy(string path, string descr, long[] shape, byte[] data, bool fortran = false)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({dims}), }}";
        var total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - 11) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(data);
    }

    public static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }
}
