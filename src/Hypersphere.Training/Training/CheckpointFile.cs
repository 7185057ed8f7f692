using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Training.Training;

/// <summary>
/// The framing of <c>checkpoint.bin</c>: the magic line <c>HYPERSPHERE-CHECKPOINT 2</c>, the payload length
/// (int64, little-endian), the payload, and the SHA-256 of the payload. A flipped byte or a cut file is
/// refused on load instead of resuming from damaged weights. Version 1 files (magic line, then the payload,
/// no length and no checksum) are still read, unchecked.
/// </summary>
internal static class CheckpointFile
{
    private const int LengthBytes = sizeof(long);
    private const int ChecksumBytes = SHA256.HashSizeInBytes;

    private static readonly byte[] MagicV1 = Encoding.ASCII.GetBytes("HYPERSPHERE-CHECKPOINT 1\n");
    private static readonly byte[] MagicV2 = Encoding.ASCII.GetBytes("HYPERSPHERE-CHECKPOINT 2\n");

    /// <summary>Writes the payload <paramref name="write"/> produces, framed and checksummed, atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<BinaryWriter> write)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        var bytes = payload.GetBuffer().AsSpan(0, checked((int)payload.Length)).ToArray();
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[LengthBytes];
            BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
            stream.Write(MagicV2);
            stream.Write(length);
            stream.Write(bytes);
            stream.Write(SHA256.HashData(bytes));
        });
    }

    /// <summary>
    /// The payload of the checkpoint at <paramref name="path"/>, verified against its length and checksum
    /// (<see cref="ErrorKind.Corrupt"/> naming the file and what to do when either is off).
    /// </summary>
    public static MemoryStream ReadPayload(string path, string runFolder)
    {
        var file = File.ReadAllBytes(path);
        if (file.AsSpan().StartsWith(MagicV1))
        {
            return new MemoryStream(file, MagicV1.Length, file.Length - MagicV1.Length, writable: false);
        }

        if (!file.AsSpan().StartsWith(MagicV2))
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{path} is not a Hypersphere checkpoint (bad header); {Remedy(runFolder)}");
        }

        var framing = (long)MagicV2.Length + LengthBytes + ChecksumBytes;
        var stated = file.Length >= MagicV2.Length + LengthBytes ? BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(MagicV2.Length)) : -1;
        if (stated < 0 || file.Length != framing + stated)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"{path} is {file.Length} bytes, but its header promises {(stated < 0 ? "more" : (framing + stated).ToString(System.Globalization.CultureInfo.InvariantCulture))} (truncated or damaged); {Remedy(runFolder)}");
        }

        var payload = file.AsSpan(MagicV2.Length + LengthBytes, (int)stated);
        var expected = file.AsSpan(file.Length - ChecksumBytes);
        var actual = SHA256.HashData(payload);
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"{path} is damaged: the SHA-256 of its {stated} payload bytes is {Convert.ToHexStringLower(actual)}, but the file records {Convert.ToHexStringLower(expected)}; {Remedy(runFolder)}");
        }

        return new MemoryStream(file, MagicV2.Length + LengthBytes, (int)stated, writable: false);
    }

    private static string Remedy(string runFolder) =>
        $"resume from an earlier copy of the checkpoint (put it back as {Path.Combine(runFolder, Checkpoint.FileName)}) or start the run again in a new folder (hypersphere train --out <folder>)";
}
