using Hypersphere.Core.IO;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hypersphere.Training.Training;

/// <summary>
/// One file, <c>checkpoint.bin</c> in the run folder, framed and checksummed by <see cref="CheckpointFile"/>:
/// the <see cref="TrainState"/> as JSON, then the encoder, the optimiser state and (MoCo) the key encoder
/// and queue. Written to a temp file and renamed over the old one, so a crash never leaves a half-written
/// checkpoint, and a file damaged later is refused on load.
/// </summary>
public static class Checkpoint
{
    /// <summary>File name inside a run folder.</summary>
    public const string FileName = "checkpoint.bin";

    /// <summary>JSON options for the state (and configs in cards and logs): the project's one convention.</summary>
    public static JsonSerializerOptions Json => SnakeCaseJson.Compact;

    /// <summary>The same, indented, for files people read.</summary>
    public static JsonSerializerOptions IndentedJson => SnakeCaseJson.Indented;

    /// <summary>Path of the checkpoint in <paramref name="runFolder"/>.</summary>
    public static string PathIn(string runFolder) => System.IO.Path.Combine(runFolder, FileName);

    /// <summary>Writes the checkpoint atomically, with a checksum verified on every load.</summary>
    public static void Save(string runFolder, TrainState state, SmallAlexNet encoder, OptimizerHelper? optimizer, SmallAlexNet? keyEncoder, Tensor? queue)
    {
        Directory.CreateDirectory(runFolder);
        CheckpointFile.Write(PathIn(runFolder), writer =>
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(state, Json);
            writer.Write(json.Length);
            writer.Write(json);
            encoder.save(writer);
            writer.Write(optimizer is not null);
            optimizer?.save_state_dict(writer);
            writer.Write(keyEncoder is not null);
            keyEncoder?.save(writer);
            writer.Write(queue is not null);
            queue?.Save(writer);
        });
    }

    /// <summary>Reads only the state (no tensors).</summary>
    public static TrainState ReadState(string runFolder)
    {
        using var reader = Open(runFolder, out var state);
        return state;
    }

    /// <summary>Builds the encoder stored in a run folder, in eval mode.</summary>
    public static (SmallAlexNet Encoder, TrainState State) LoadEncoder(string runFolder)
    {
        using var reader = Open(runFolder, out var state);
        var encoder = new SmallAlexNet(EncoderOf(state), state.Config.Seed);
        Read(() => encoder.load(reader), runFolder);
        encoder.eval();
        return (encoder, state);
    }

    /// <summary>Restores encoder, optimiser and MoCo parts of a run in place, for resuming.</summary>
    public static TrainState Restore(string runFolder, SmallAlexNet encoder, OptimizerHelper optimizer, SmallAlexNet? keyEncoder, Action<Tensor>? restoreQueue)
    {
        using var reader = Open(runFolder, out var state);
        Read(
            () =>
            {
                encoder.load(reader);
                if (reader.ReadBoolean())
                {
                    optimizer.load_state_dict(reader);
                }

                if (reader.ReadBoolean())
                {
                    (keyEncoder ?? throw new InvalidDataException("a key encoder is stored but the run has none")).load(reader);
                }

                if (reader.ReadBoolean())
                {
                    restoreQueue?.Invoke(TensorExtensionMethods.Load(reader));
                }
            },
            runFolder);
        return state;
    }

    /// <summary>The encoder shape a state describes.</summary>
    public static EncoderConfig EncoderOf(TrainState state) =>
        new(state.Channels, state.InputSize, state.InputSize, state.Config.Width, state.Config.FeatureDim);

    private static BinaryReader Open(string runFolder, out TrainState state)
    {
        var path = PathIn(runFolder);
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"no checkpoint at {path}: train first (hypersphere train --out {runFolder}) or point --checkpoint at a run folder");
        }

        var reader = new BinaryReader(CheckpointFile.ReadPayload(path, runFolder));
        try
        {
            var length = reader.ReadInt32();
            state = JsonSerializer.Deserialize<TrainState>(reader.ReadBytes(length), Json)
                ?? throw new HypersphereException(ErrorKind.Corrupt, $"{path} has an empty state");
            return reader;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            reader.Dispose();
            throw new HypersphereException(ErrorKind.Corrupt, $"{path} is truncated or damaged: {e.Message}", e);
        }
    }

    private static void Read(Action action, string runFolder)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidDataException or IOException)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{PathIn(runFolder)} does not match the model it describes or is truncated: {e.Message}", e);
        }
    }
}
