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

    /// <summary>Number of elements the shape holds (a parsed header's data fits in an array, so this cannot overflow).</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as NumPy prints it, e.g. (3, 4).</summary>
    public string ShapeText => FormatShape(Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToList());

    /// <summary>Whether <paramref name="start"/> begins with <see cref="Magic"/>.</summary>
    public static bool StartsWithMagic(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>
    /// Parses the header at the start of <paramref name="file"/>; <paramref name="name"/> is used in messages.
    /// Anything malformed is <see cref="ErrorKind.BadRequest"/>, a header longer than the file
    /// <see cref="ErrorKind.Corrupt"/>, and a shape whose data could not be held in memory <see cref="ErrorKind.TooLarge"/>.
    /// </summary>
    public static NpyHeader Parse(ReadOnlySpan<byte> file, string name) => Parse(file, name, Array.MaxLength);

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{byte}, string)"/> for data of up to <paramref name="maxBytes"/>: a memory-mapped file
    /// (<see cref="MappedEmbeddings"/>) is never held in one array, so it may exceed <see cref="Array.MaxLength"/>.
    /// </summary>
    internal static NpyHeader Parse(ReadOnlySpan<byte> file, string name, long maxBytes)
    {
        if (file.Length < 10 || !StartsWithMagic(file))
        {
            throw HypersphereException.Bad($"{name} is not a .npy file: it does not start with the magic bytes \\x93NUMPY");
        }

        int major = file[6], start;
        long headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
                start = 10;
                break;
            case 2 or 3 when file.Length < 12:
                throw new HypersphereException(ErrorKind.Corrupt, $"{name} is truncated: a version {major}.0 .npy preamble has 12 bytes, but the file has {file.Length}");
            case 2 or 3:
                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
                start = 12;
                break;
            default:
                throw HypersphereException.Bad($"{name} has .npy format version {major}.{file[7]}, but only 1.0, 2.0 and 3.0 are supported");
        }

        if (file.Length - start < headerLength)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{name} is truncated: its header claims {headerLength} bytes, but the file has {file.Length - start} after the preamble");
        }

        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(file.Slice(start, (int)headerLength)).Trim();
        if (!text.StartsWith('{') || !text.EndsWith('}'))
        {
            throw HypersphereException.Bad($"{name} has a .npy header that is not a Python dict literal {{...}}: {Shorten(text)}");
        }

        var descr = DescrPattern().Match(text);
        var order = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        var missing = new[] { ("'descr'", descr), ("'fortran_order' (True or False)", order), ("'shape'", shape) }.Where(k => !k.Item2.Success).Select(k => k.Item1).ToList();
        if (missing.Count > 0)
        {
            throw HypersphereException.Bad($"{name} has a .npy header without {string.Join(", ", missing)}; it needs 'descr', 'fortran_order' and 'shape': {Shorten(text)}");
        }

        var dtype = descr.Groups[1].Value;
        if (dtype.Length < 3 || !"<>|=".Contains(dtype[0], StringComparison.Ordinal) || !int.TryParse(dtype.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1)
        {
            throw HypersphereException.Bad($"{name} has dtype '{dtype}', which is not a plain numeric dtype such as '<f4' or '<i8'");
        }

        var dims = ParseShape(shape.Groups[1].Value, size, name, maxBytes);
        return new NpyHeader(dtype[1], size, dtype[0] == '>', order.Groups[1].Value == "True", dims, start + (int)headerLength, dtype);
    }

    /// <summary>Dimensions as non-negative integers whose product of bytes fits in an array.</summary>
    private static long[] ParseShape(string inner, int itemSize, string name, long maxBytes)
    {
        var entries = inner.Split(',').Select(s => s.Trim()).ToList();
        if (entries.Count > 1 && entries[^1].Length == 0)
        {
            entries.RemoveAt(entries.Count - 1); // (3,) and (3, 4,) end with a comma
        }

        if (entries is [""])
        {
            entries.Clear(); // () is a scalar
        }

        var dims = new long[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].TrimEnd('L');
            if (entry.Length == 0 || !entry.All(char.IsAsciiDigit))
            {
                throw HypersphereException.Bad($"{name} has shape {FormatShape(entries)}, but dimension {i} ('{entries[i]}') is not a non-negative integer");
            }

            if (!long.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
            {
                throw HypersphereException.Bad($"{name} has shape {FormatShape(entries)}, but dimension {i} ({entry}) is not a valid size: it exceeds {long.MaxValue}");
            }
        }

        // A zero dimension empties the array whatever the others are; otherwise the product is checked after
        // each factor, so in 128 bits (each factor below 2^63) it cannot overflow before it is refused.
        UInt128 bytes = (uint)itemSize;
        for (var i = 0; i < dims.Length && !dims.Contains(0); i++)
        {
            bytes *= (ulong)dims[i];
            if (bytes > (UInt128)maxBytes)
            {
                throw new HypersphereException(
                    ErrorKind.TooLarge,
                    $"{name} has shape {FormatShape(entries)} of {itemSize}-byte elements, which needs more than {maxBytes} bytes, the most that can be read");
            }
        }

        return dims;
    }

    private static string FormatShape(List<string> dims) => dims.Count == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
