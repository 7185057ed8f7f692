using System.Buffers.Binary;
using System.IO.Compression;
using Hypersphere.Core.Errors;

namespace Hypersphere.Inference.Formats;

/// <summary>The images of an IDX image file: Count×Rows×Columns bytes, row-major.</summary>
/// <param name="Pixels">Count·Rows·Columns bytes.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format): a big-endian header (magic number, then one
/// 32-bit count per dimension) followed by unsigned bytes. Files may be gzipped; that is detected
/// from the gzip magic bytes, not from the file name. Lives here rather than in Training because
/// <c>hypersphere embed</c> reads the same files without TorchSharp; Training's IdxFile calls it.
/// </summary>
public static class IdxFormat
{
    /// <summary>Magic number of an image file: unsigned bytes, 3 dimensions (N, rows, columns).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes, 1 dimension (N).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads an image file (magic <see cref="ImageMagic"/>).</summary>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, ImageMagic, "image");
        return new IdxImages(data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a label file (magic <see cref="LabelMagic"/>).</summary>
    public static byte[] ReadLabels(string path) => Read(path, LabelMagic, "label").Data;

    /// <summary>
    /// Whether <paramref name="path"/> looks like an IDX image file: its first four bytes, after
    /// gunzipping if it is gzipped, are <see cref="ImageMagic"/>. Reads only those bytes.
    /// </summary>
    public static bool LooksLikeImageFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        try
        {
            using var stream = StartsWithGzipMagic(file) ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && BinaryPrimitives.ReadInt32BigEndian(magic) == ImageMagic;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static (int[] Dims, byte[] Data) Read(string path, int magic, string kind)
    {
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"IDX {kind} file '{path}' does not exist");
        }

        using var file = File.OpenRead(path);
        var gzip = StartsWithGzipMagic(file);
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
        var contents = gzip ? "decompressed contents" : "file";
        try
        {
            var rank = magic & 0xFF;
            var header = new byte[4 + (4 * rank)];
            var got = stream.ReadAtLeast(header.AsSpan(0, 4), 4, throwOnEndOfStream: false);
            var actualMagic = got == 4 ? BinaryPrimitives.ReadInt32BigEndian(header) : -1;
            if (got == 4 && actualMagic != magic)
            {
                throw Corrupt($"'{path}' starts with magic number 0x{actualMagic:X8}, but an IDX {kind} file must start with 0x{magic:X8} (unsigned bytes, {rank} dimension{(rank == 1 ? string.Empty : "s")})");
            }

            got += got == 4 ? stream.ReadAtLeast(header.AsSpan(4), header.Length - 4, throwOnEndOfStream: false) : 0;
            if (got < header.Length)
            {
                throw Corrupt($"'{path}' is truncated: an IDX {kind} header needs {header.Length} bytes, but the {contents} holds {got}");
            }

            var dims = new int[rank];
            UInt128 product = 1;
            for (var d = 0; d < rank; d++)
            {
                var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 + (4 * d)));
                if (size > int.MaxValue)
                {
                    throw Corrupt($"'{path}' declares dimension {d} as {size}, but IDX dimensions here must be at most {int.MaxValue}");
                }

                dims[d] = (int)size;
                product *= size;
            }

            var shape = string.Join("×", dims);
            if (product > (UInt128)Array.MaxLength)
            {
                throw Corrupt($"'{path}' declares {shape} = {product} data bytes, but at most {Array.MaxLength} can be read");
            }

            var expected = (long)product;
            // A plain file's length is known up front: check it before allocating what the header claims.
            if (!gzip && file.Length != header.Length + expected)
            {
                throw SizeMismatch(path, shape, header.Length, expected, file.Length - header.Length, contents);
            }

            var data = new byte[expected];
            var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            var extra = read < data.Length ? 0 : CountRemaining(stream);
            if (read < data.Length || extra > 0)
            {
                throw SizeMismatch(path, shape, header.Length, expected, read + extra, contents);
            }

            return (dims, data);
        }
        catch (InvalidDataException e)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"'{path}' starts like a gzip file but cannot be decompressed: {e.Message}", e);
        }
    }

    private static bool StartsWithGzipMagic(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return got == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static long CountRemaining(Stream stream)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    private static HypersphereException SizeMismatch(string path, string shape, int headerBytes, long expected, long actual, string contents) =>
        Corrupt($"'{path}' is {(actual < expected ? "truncated" : "longer than its header says")}: the header declares {shape} = {expected} data bytes ({headerBytes + expected} bytes in all), but the {contents} holds {actual} data bytes ({headerBytes + actual} bytes in all)");

    private static HypersphereException Corrupt(string message) => new(ErrorKind.Corrupt, message);
}
