using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
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

        if (header.Shape.Any(d => d > int.MaxValue))
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"{name} has shape {header.ShapeText}, but rows and columns must each be at most {int.MaxValue}");
        }

        return new MatrixData(ReadValues<double>(file, header, name), (int)header.Shape[0], (int)header.Shape[1]);
    }

    /// <summary>Reads a 1-D integer array (or an N×1 one), such as class labels.</summary>
    public static long[] ReadIntegers(string path) => ReadIntegers(ReadAll(path), Path.GetFileName(path));

    /// <summary>Reads a 1-D integer array (or an N×1 one) from the bytes of a .npy file (<paramref name="name"/> in messages).</summary>
    public static long[] ReadIntegers(byte[] file, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
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

    /// <summary>Writes a row-major float32 matrix as a version 1.0 .npy file, atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int cols) => AtomicFile.Write(path, Encode(values, rows, cols));

    /// <summary>Writes a row-major float64 matrix as a version 1.0 .npy file, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<double> values, int rows, int cols) => AtomicFile.Write(path, Encode(values, rows, cols));

    /// <summary>The bytes of a version 1.0 .npy file ('&lt;f4') holding a row-major float32 matrix.</summary>
    public static byte[] Encode(ReadOnlySpan<float> values, int rows, int cols)
    {
        var (file, at) = Allocate("<f4", rows, cols, values.Length, sizeof(float));
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(at + (i * sizeof(float))), values[i]);
        }

        return file;
    }

    /// <summary>The bytes of a version 1.0 .npy file ('&lt;f8') holding a row-major float64 matrix.</summary>
    public static byte[] Encode(ReadOnlySpan<double> values, int rows, int cols)
    {
        var (file, at) = Allocate("<f8", rows, cols, values.Length, sizeof(double));
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(file.AsSpan(at + (i * sizeof(double))), values[i]);
        }

        return file;
    }

    /// <summary>A file's bytes with the header written and room for the data, and where the data starts.</summary>
    private static (byte[] File, int DataOffset) Allocate(string descr, int rows, int cols, int count, int itemSize)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != count)
        {
            throw new ArgumentException($"shape ({rows}, {cols}) needs {(long)rows * cols} values, but {count} were given");
        }

        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");

        // NumPy pads the header with spaces so the data starts at a multiple of 64 bytes.
        var total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - 10 - 1) + "\n";
        var file = new byte[checked(total + ((long)count * itemSize))];
        NpyHeader.Magic.CopyTo(file);
        file[6] = 1;
        file[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, file.AsSpan(10));
        return (file, total);
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// The elements of a numeric array converted to <typeparamref name="T"/>, in C (row-major) order whatever
    /// the file's order: a Fortran-order array is transposed, as numpy.load would present it. The data must be
    /// exactly what the header describes (<see cref="CheckDataLength(byte[], NpyHeader, string)"/>).
    /// </summary>
    public static T[] ReadValues<T>(byte[] file, NpyHeader header, string name)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(header);
        CheckDataLength(file, header, name);
        var data = file.AsSpan(header.DataOffset);
        var values = new T[header.Count];
        if (typeof(T) == typeof(byte) && header is { Kind: 'u' or 'b', ItemSize: 1 })
        {
            data.CopyTo(MemoryMarshal.AsBytes(values.AsSpan())); // pixels: no per-element decoding
        }
        else
        {
            var size = header.ItemSize;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = T.CreateTruncating(ReadElement(data.Slice(i * size, size), header.Kind, header.BigEndian, name, header.Descr));
            }
        }

        return header.FortranOrder ? ToCOrder(values, header.Shape) : values;
    }

    /// <summary>Refuses a file whose data is not exactly what its header's shape and dtype need (<see cref="ErrorKind.Corrupt"/>, "truncated" when short).</summary>
    public static void CheckDataLength(byte[] file, NpyHeader header, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
        CheckDataLength(file.LongLength, header, name);
    }

    /// <summary>The same check from the length of a file that is not read into memory.</summary>
    internal static void CheckDataLength(long fileLength, NpyHeader header, string name)
    {
        var expected = header.Count * header.ItemSize;
        var available = fileLength - header.DataOffset;
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

    /// <summary>
    /// Reorders a column-major array of any rank to row-major: walks the C-order index like an odometer
    /// (last axis fastest) while tracking its column-major offset, whose stride for axis a is Π_{b&lt;a} shape[b].
    /// </summary>
    private static T[] ToCOrder<T>(T[] columnMajor, long[] shape)
    {
        if (shape.Length < 2 || columnMajor.Length == 0)
        {
            return columnMajor;
        }

        var strides = new long[shape.Length];
        long stride = 1;
        for (var a = 0; a < shape.Length; a++)
        {
            strides[a] = stride;
            stride *= shape[a];
        }

        var index = new long[shape.Length];
        var result = new T[columnMajor.Length];
        long offset = 0;
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = columnMajor[offset];
            for (var a = shape.Length - 1; a >= 0; a--)
            {
                offset += strides[a];
                if (++index[a] < shape[a])
                {
                    break;
                }

                offset -= strides[a] * shape[a];
                index[a] = 0;
            }
        }

        return result;
    }
}
