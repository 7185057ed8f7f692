using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hypersphere.Core.Errors;

namespace Hypersphere.Core.IO;

/// <summary>
/// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0): magic, version, header
/// length, then a Python dict literal with <c>descr</c>, <c>fortran_order</c> and <c>shape</c>.
/// </summary>
/// <param name="Kind">'f' float, 'i' signed or 'u' unsigned integer, 'b' bool.</param>
/// <param name="ItemSize">Bytes per element.</param>
/// <param name="BigEndian">Whether elements are stored big-endian.</param>
/// <param name="FortranOrder">Column-major data.</param>
/// <param name="Shape">The array's shape.</param>
/// <param name="DataOffset">Byte offset of the first element.</param>
/// <param name="Descr">The dtype string as written, for messages.</param>
public sealed partial record NpyHeader(char Kind, int ItemSize, bool BigEndian, bool FortranOrder, long[] Shape, int DataOffset, string Descr)
{
    /// <summary>The six bytes every .npy file starts with: 0x93 then ASCII NUMPY.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Number of elements the shape holds.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as NumPy prints it, e.g. (3, 4).</summary>
    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";

    /// <summary>Parses the header at the start of <paramref name="file"/>; <paramref name="name"/> is used in messages.</summary>
    public static NpyHeader Parse(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < 10 || !file[..6].SequenceEqual(Magic))
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"{name} is not a .npy file: it does not start with the magic bytes \\x93NUMPY");
        }

        int major = file[6], headerLength, start;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
                start = 10;
                break;
            case 2 or 3 when file.Length < 12:
                throw new HypersphereException(ErrorKind.Corrupt, $"{name} is truncated: a version {major}.0 .npy preamble has 12 bytes, but the file has {file.Length}");
            case 2 or 3:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(file[8..]));
                start = 12;
                break;
            default:
                throw new HypersphereException(ErrorKind.BadRequest, $"{name} has .npy format version {major}.{file[7]}, but only 1.0, 2.0 and 3.0 are supported");
        }

        if (file.Length < start + headerLength)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{name} is truncated: its header claims {headerLength} bytes, but the file has {file.Length - start} after the preamble");
        }

        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(file.Slice(start, headerLength));
        var descr = DescrPattern().Match(text);
        var order = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !order.Success || !shape.Success)
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"{name} has a .npy header without 'descr', 'fortran_order' and 'shape': {text.Trim()}");
        }

        var dtype = descr.Groups[1].Value;
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s.TrimEnd('L'), CultureInfo.InvariantCulture)).ToArray();
        if (dtype.Length < 3 || !"<>|=".Contains(dtype[0], StringComparison.Ordinal) || !int.TryParse(dtype.AsSpan(2), CultureInfo.InvariantCulture, out var size))
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"{name} has dtype '{dtype}', which is not a plain numeric dtype such as '<f4' or '<i8'");
        }

        return new NpyHeader(dtype[1], size, dtype[0] == '>', order.Groups[1].Value == "True", dims, start + headerLength, dtype);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
