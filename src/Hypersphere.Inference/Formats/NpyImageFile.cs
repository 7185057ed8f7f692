using System.Buffers.Binary;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference.Formats;

/// <summary>
/// Images in a NumPy array, channel-first: <see cref="Bytes"/> for uint8 arrays, <see cref="Floats"/> for
/// float32/float64 ones (held as float32); exactly one of the two is set.
/// </summary>
/// <param name="Count">N.</param>
/// <param name="Channels">C (1 when the array is (N, H, W)).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="Bytes">N·C·H·W bytes of a uint8 array, or null.</param>
/// <param name="Floats">N·C·H·W floats of a float array, or null.</param>
public sealed record NpyImages(int Count, int Channels, int Height, int Width, byte[]? Bytes, float[]? Floats);

/// <summary>Reads image arrays from .npy files: shape (N, H, W) or (N, C, H, W), C order, dtype uint8, float32 or float64.</summary>
public static class NpyImageFile
{
    /// <summary>Reads <paramref name="path"/>; a wrong dtype, order or shape is <see cref="ErrorKind.BadRequest"/>, missing data <see cref="ErrorKind.Corrupt"/>.</summary>
    public static NpyImages Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"file not found: {path}");
        }

        return Read(File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>Reads the bytes of a .npy file (<paramref name="name"/> in messages, e.g. "the request body").</summary>
    public static NpyImages Read(byte[] file, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
        var header = NpyHeader.Parse(file, name);
        if (header.FortranOrder)
        {
            throw HypersphereException.Bad($"{name} is in Fortran order, but image arrays must be C order (numpy.ascontiguousarray)");
        }

        var (count, channels, height, width) = Shape(header, name);
        var isBytes = header is { Kind: 'u' or 'b', ItemSize: 1 };
        if (!isBytes && !(header.Kind == 'f' && header.ItemSize is 4 or 8))
        {
            throw HypersphereException.Bad($"{name} has dtype '{header.Descr}', but image arrays must be uint8 ('|u1'), float32 ('<f4') or float64 ('<f8')");
        }

        NpyFile.CheckDataLength(file, header, name);
        var data = file.AsSpan(header.DataOffset);
        return isBytes
            ? new NpyImages(count, channels, height, width, data.ToArray(), null)
            : new NpyImages(count, channels, height, width, null, ReadFloats(data, header));
    }

    private static (int Count, int Channels, int Height, int Width) Shape(NpyHeader header, string name)
    {
        var s = header.Shape;
        if (s.Length is not (3 or 4) || s.Any(d => d > int.MaxValue) || (s.Length == 4 && s[1] is not (1 or 3)) || s.Skip(1).Any(d => d < 1))
        {
            var hint = s.Length == 4 && s[3] is 1 or 3 ? "; a channel-last array (N, H, W, C) must be transposed to (N, C, H, W)" : string.Empty;
            throw HypersphereException.Bad($"{name} has shape {header.ShapeText}, but image arrays must be (N, H, W) or (N, C, H, W) with C = 1 or 3{hint}");
        }

        if (header.Count * header.ItemSize > Array.MaxLength)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"{name} has shape {header.ShapeText}, but at most {Array.MaxLength} data bytes can be read");
        }

        return s.Length == 3
            ? ((int)s[0], 1, (int)s[1], (int)s[2])
            : ((int)s[0], (int)s[1], (int)s[2], (int)s[3]);
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> data, NpyHeader header)
    {
        var values = new float[header.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = header.ItemSize == 4
                ? (header.BigEndian ? BinaryPrimitives.ReadSingleBigEndian(data[(i * 4)..]) : BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]))
                : (float)(header.BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(data[(i * 8)..]) : BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]));
        }

        return values;
    }
}
