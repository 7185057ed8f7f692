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

/// <summary>
/// Reads image arrays from .npy files: shape (N, H, W) or (N, C, H, W), dtype uint8, float32 or float64.
/// Header and data go through Core's <see cref="NpyHeader"/> and <see cref="NpyFile.ReadValues{T}"/>, so images
/// and embeddings share one set of header checks and one Fortran-order policy (transposed on reading).
/// </summary>
public static class NpyImageFile
{
    /// <summary>
    /// Reads the bytes of a .npy file (<paramref name="name"/> in messages, e.g. "the request body"); a wrong dtype
    /// or shape is <see cref="ErrorKind.BadRequest"/>, data that does not match the header <see cref="ErrorKind.Corrupt"/>.
    /// </summary>
    public static NpyImages Read(byte[] file, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
        var header = NpyHeader.Parse(file, name);
        var (count, channels, height, width) = Shape(header, name);
        var isBytes = header is { Kind: 'u' or 'b', ItemSize: 1 };
        if (!isBytes && !(header.Kind == 'f' && header.ItemSize is 4 or 8))
        {
            throw HypersphereException.Bad($"{name} has dtype '{header.Descr}', but image arrays must be uint8 ('|u1'), float32 ('<f4') or float64 ('<f8')");
        }

        return isBytes
            ? new NpyImages(count, channels, height, width, NpyFile.ReadValues<byte>(file, header, name), null)
            : new NpyImages(count, channels, height, width, null, NpyFile.ReadValues<float>(file, header, name));
    }

    private static (int Count, int Channels, int Height, int Width) Shape(NpyHeader header, string name)
    {
        // NpyHeader.Parse has already refused shapes whose data could not be held in memory.
        var s = header.Shape;
        if (s.Length is not (3 or 4) || s.Any(d => d > int.MaxValue) || (s.Length == 4 && s[1] is not (1 or 3)) || s.Skip(1).Any(d => d < 1))
        {
            var hint = s.Length == 4 && s[3] is 1 or 3 ? "; a channel-last array (N, H, W, C) must be transposed to (N, C, H, W)" : string.Empty;
            throw HypersphereException.Bad($"{name} has shape {header.ShapeText}, but image arrays must be (N, H, W) or (N, C, H, W) with C = 1 or 3 and every size at most {int.MaxValue}{hint}");
        }

        return s.Length == 3
            ? ((int)s[0], 1, (int)s[1], (int)s[2])
            : ((int)s[0], (int)s[1], (int)s[2], (int)s[3]);
    }
}
