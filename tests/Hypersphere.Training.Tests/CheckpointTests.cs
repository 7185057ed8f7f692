using System.Security.Cryptography;
using System.Text;
using Hypersphere.Core.Errors;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Models;
using Hypersphere.Training.Tests.Export;
using Hypersphere.Training.Training;

namespace Hypersphere.Training.Tests;

/// <summary>checkpoint.bin refuses damage instead of resuming from it, and still loads what it wrote bit for bit.</summary>
public class CheckpointTests
{
    private const int MagicLength = 25, LengthBytes = 8, ChecksumBytes = 32;

    private static readonly TrainState State = new(
        new TrainConfig("fashion-mnist", null, LossSpec.FromPreset("align-uniform"), 3, 64, Width: 0.0625, FeatureDim: 16, Seed: 3),
        1, 0, 10, 0, 0, 1, 28, ExportFixtures.FashionMean, ExportFixtures.FashionStd, null);

    [Fact]
    public void AnIntactCheckpointLoadsBitIdentically()
    {
        using var folder = new TempFolder();
        using var saved = ExportFixtures.WithBatchNormStatistics();
        Checkpoint.Save(folder.Path, State, saved, null, null, null);

        var (loaded, state) = Checkpoint.LoadEncoder(folder.Path);
        using (loaded)
        {
            Assert.Equal(State.GlobalStep, state.GlobalStep);
            AssertSameParameters(saved, loaded);
        }
    }

    [Fact]
    public void OneFlippedByteMidFileIsCorruptWithBothChecksumsAndWhatToDo()
    {
        using var folder = new TempFolder();
        using var encoder = ExportFixtures.Fresh();
        Checkpoint.Save(folder.Path, State, encoder, null, null, null);
        var path = Checkpoint.PathIn(folder.Path);
        var bytes = File.ReadAllBytes(path);
        var recorded = Hex(SHA256.HashData(Payload(bytes)));
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var actual = Hex(SHA256.HashData(Payload(bytes)));

        foreach (var load in new Action[] { () => Checkpoint.LoadEncoder(folder.Path), () => Checkpoint.ReadState(folder.Path) })
        {
            var error = Assert.Throws<HypersphereException>(load);
            Assert.Equal(ErrorKind.Corrupt, error.Kind);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains($"is {actual}, but the file records {recorded}", error.Message, StringComparison.Ordinal);
            Assert.Contains("earlier copy of the checkpoint", error.Message, StringComparison.Ordinal);
            Assert.Contains("start the run again", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(ChecksumBytes + 1)]
    [InlineData(-1)]
    public void ATruncatedCheckpointIsCorruptWithBothSizes(int cut)
    {
        using var folder = new TempFolder();
        using var encoder = ExportFixtures.Fresh();
        Checkpoint.Save(folder.Path, State, encoder, null, null, null);
        var path = Checkpoint.PathIn(folder.Path);
        var bytes = File.ReadAllBytes(path);
        var kept = cut > 0 ? bytes.Length - cut : MagicLength + 3;
        File.WriteAllBytes(path, bytes[..kept]);

        var error = Assert.Throws<HypersphereException>(() => Checkpoint.LoadEncoder(folder.Path));

        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.Contains($"{path} is {kept} bytes, but its header promises {(cut > 0 ? bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more")}", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVersion1CheckpointWithoutChecksumStillLoads()
    {
        using var folder = new TempFolder();
        using var saved = ExportFixtures.WithBatchNormStatistics(seed: 5);
        Checkpoint.Save(folder.Path, State, saved, null, null, null);
        var path = Checkpoint.PathIn(folder.Path);
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("HYPERSPHERE-CHECKPOINT 1\n"), .. Payload(File.ReadAllBytes(path))]);

        var (loaded, _) = Checkpoint.LoadEncoder(folder.Path);
        using (loaded)
        {
            AssertSameParameters(saved, loaded);
        }
    }

    /// <summary>The payload of a version 2 file as its documented layout places it: after magic and length, before the checksum.</summary>
    private static byte[] Payload(byte[] file) => file[(MagicLength + LengthBytes)..^ChecksumBytes];

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static void AssertSameParameters(SmallAlexNet expected, SmallAlexNet actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, tensor) in a)
        {
            // Bytes, not values: bit-identical, and a NaN compares equal to itself.
            Assert.True(tensor.bytes.SequenceEqual(b[name].bytes), $"{name} differs after loading");
        }
    }
}
