using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.IO;

/// <summary>Reads and writes NumPy .npy files (C or Fortran order, either byte order).</summary>
public static class NpyFile
{
    /// <summary>Reads a 2-D float32 or float64 array as a row-major matrix.</summary>
    public static MatrixData ReadMatrix(string path) => ReadMatrix(ReadAll(path), Path.GetFileName(path));

    /// <summary>Reads a 2-D float32 or float64 array from the bytes of a .npy file.</summary>
    public static MatrixData ReadMatrix(byte[] file, string name)
    {
        var header = NpyHeader.Parse(file, name);
        if (header.Kind != 'f' || header.ItemSize is not (4 or 8))
        {
            throw HypersphereException.Bad($"{name} has dtype '{header.Descr}', but embeddings must be float32 ('<f4') or float64 ('<f8')");
        }

        if (header.Shape.Length != 2)
        {
            throw HypersphereException.Bad($"{name} has shape {header.ShapeText}, but embeddings must be a 2-D array (rows, dim)");
        }

        var values = ReadElements(file, header, name);
        int rows = checked((int)header.Shape[0]), cols = checked((int)header.Shape[1]);
        return new MatrixData(header.FortranOrder ? Transpose(values, rows, cols) : values, rows, cols);
    }

    /// <summary>Reads a 1-D integer array (or an N×1 one), such as class labels.</summary>
    public static long[] ReadIntegers(string path)
    {
        var name = Path.GetFileName(path);
        var file = ReadAll(path);
        var header = NpyHeader.Parse(file, name);
        if (header.Kind is not ('i' or 'u' or 'b'))
        {
            throw HypersphereException.Bad($"{name} has dtype '{header.Descr}', but labels must be integers (e.g. '<i8')");
        }

        if (header.Shape.Length > 2 || (header.Shape.Length == 2 && header.Shape[1] != 1))
        {
            throw HypersphereException.Bad($"{name} has shape {header.ShapeText}, but labels must be 1-D (N,) or (N, 1)");
        }

        CheckDataLength(file, header, name);
        var data = file.AsSpan(header.DataOffset);
        var size = header.ItemSize;
        var labels = new long[header.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            // Integers are read as integers: through double, int64 labels beyond 2^53 would merge.
            labels[i] = ReadInteger(data.Slice(i * size, size), header, name);
        }

        return labels;
    }

    private static long ReadInteger(ReadOnlySpan<byte> b, NpyHeader header, string name)
    {
        if (header is { Kind: 'u', ItemSize: 8 })
        {
            var value = header.BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
            return value <= long.MaxValue
                ? (long)value
                : throw HypersphereException.Invalid($"{name} holds the label {value}, but labels must fit in a signed 64-bit integer");
        }

        if (header.ItemSize == 8)
        {
            return header.BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b);
        }

        return (long)ReadElement(b, header.Kind, header.BigEndian, name, header.Descr);
    }

    /// <summary>Writes a row-major float32 matrix as a version 1.0 .npy file, atomically (temp file, then rename).</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int cols)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        WriteAtomically(path, "<f4", rows, cols, bytes);
    }

    /// <summary>Writes a row-major float64 matrix as a version 1.0 .npy file, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<double> values, int rows, int cols)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        WriteAtomically(path, "<f8", rows, cols, bytes);
    }

    private static void WriteAtomically(string path, string descr, int rows, int cols, byte[] data)
    {
        var itemSize = descr == "<f4" ? 4 : 8;
        if (rows < 0 || cols < 0 || (long)rows * cols * itemSize != data.Length)
        {
            throw new ArgumentException($"shape ({rows}, {cols}) needs {(long)rows * cols} values, but {data.Length / itemSize} were given");
        }

        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");

        // NumPy pads the header with spaces so the data starts at a multiple of 64 bytes.
        var total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - 10 - 1) + "\n";
        var temp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = File.Create(temp))
        {
            stream.Write(NpyHeader.Magic);
            stream.Write([1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(Encoding.Latin1.GetBytes(header));
            stream.Write(data);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        return File.ReadAllBytes(path);
    }

    private static double[] ReadElements(byte[] file, NpyHeader header, string name)
    {
        CheckDataLength(file, header, name);
        var data = file.AsSpan(header.DataOffset);
        var values = new double[header.Count];
        var size = header.ItemSize;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadElement(data.Slice(i * size, size), header.Kind, header.BigEndian, name, header.Descr);
        }

        return values;
    }

    private static void CheckDataLength(byte[] file, NpyHeader header, string name)
    {
        var expected = header.Count * header.ItemSize;
        var available = file.Length - header.DataOffset;
        if (available != expected)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"{name} should hold {expected} data bytes for shape {header.ShapeText} of '{header.Descr}', but has {available}{(available < expected ? " (truncated)" : string.Empty)}");
        }
    }

    private static double ReadElement(ReadOnlySpan<byte> b, char kind, bool bigEndian, string name, string descr) => (kind, b.Length) switch
    {
        ('f', 4) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
        ('f', 8) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
        ('i' or 'u' or 'b', 1) => kind == 'i' ? (sbyte)b[0] : b[0],
        ('i', 2) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
        ('u', 2) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
        ('i', 4) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
        ('u', 4) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
        ('i', 8) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
        ('u', 8) => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => throw HypersphereException.Bad($"{name} has dtype '{descr}', which is not supported"),
    };

    private static double[] Transpose(double[] columnMajor, int rows, int cols)
    {
        var result = new double[columnMajor.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                result[(i * cols) + j] = columnMajor[(j * rows) + i];
            }
        }

        return result;
    }
}
