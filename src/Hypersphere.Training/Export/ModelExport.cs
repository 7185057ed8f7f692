using System.Security.Cryptography;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Inference;
using Hypersphere.Training.Augmentation;
using Hypersphere.Training.Data;
using Hypersphere.Training.Evaluation;
using Hypersphere.Training.Training;
using static TorchSharp.torch;

namespace Hypersphere.Training.Export;

/// <summary>What an export produced.</summary>
/// <param name="Folder">The model folder, <c>&lt;out&gt;/&lt;name&gt;/&lt;version&gt;</c>.</param>
/// <param name="Card">The card written beside the ONNX file.</param>
/// <param name="Verification">ONNX Runtime against TorchSharp on real images.</param>
/// <param name="VerificationImages">Which images were used (data set and split).</param>
/// <param name="Notes">Things the user should know (e.g. a stale eval.json left out of the card).</param>
public sealed record ModelExportResult(string Folder, ModelCard Card, OnnxVerification Verification, string VerificationImages, IReadOnlyList<string> Notes);

/// <summary>
/// Turns a training run into a model folder: <c>model.onnx</c> and its card <c>model.json</c>. The ONNX
/// bytes are checked against the TorchSharp encoder on real images before anything is written, and the
/// folder appears at once or not at all (built beside the target, then renamed).
/// </summary>
public static class ModelExport
{
    /// <summary>The ONNX file's name in a model folder.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>
    /// Exports the checkpoint in <paramref name="runFolder"/> to <c><paramref name="outFolder"/>/<paramref name="name"/>/<paramref name="version"/></c>
    /// with the embedding and the extra <paramref name="outputs"/> (<c>fc7</c>, <c>conv5</c>). An existing
    /// version folder is replaced only with <paramref name="force"/>. Verification images come from the
    /// run's data set (its test split) in <paramref name="dataDir"/>, or in the folder the run trained on.
    /// </summary>
    public static ModelExportResult Run(
        string runFolder, string outFolder, string name, string version, IEnumerable<string>? outputs = null, bool force = false, string? dataDir = null) =>
        Run(runFolder, outFolder, name, version, outputs, force, dataDir, tamper: null);

    /// <summary>As the public overload; <paramref name="tamper"/> rewrites the ONNX bytes before verification (tests).</summary>
    internal static ModelExportResult Run(
        string runFolder, string outFolder, string name, string version, IEnumerable<string>? outputs, bool force, string? dataDir, Func<byte[], byte[]>? tamper)
    {
        RequireFolderName(name, "model name");
        RequireFolderName(version, "model version");
        var target = Path.GetFullPath(Path.Combine(outFolder, name, version));
        RefuseExisting(target, force);

        var (encoder, state) = Checkpoint.LoadEncoder(runFolder);
        using (encoder)
        {
            var resolved = OnnxExporter.ResolveOutputs(outputs);
            var (evaluation, note) = ModelCards.ReadEvaluation(runFolder, state);
            var card = ModelCards.FromRun(name, version, state, resolved, evaluation, DateTimeOffset.UtcNow);
            var onnx = OnnxExporter.Export(encoder, resolved, ModelCards.Metadata(card));
            onnx = tamper?.Invoke(onnx) ?? onnx;

            var (images, source) = VerificationImages(state, dataDir, OnnxVerifier.DefaultBatchSizes.Max());
            OnnxVerification verification;
            using (images)
            {
                verification = OnnxVerifier.Compare(onnx, encoder, images);
            }

            if (!verification.Passed)
            {
                throw new HypersphereException(
                    ErrorKind.Corrupt,
                    $"the ONNX model does not reproduce the TorchSharp encoder on {source}: max |ORT − TorchSharp| {verification.Summary}; nothing was written");
            }

            card = card with { Onnx = card.Onnx with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(onnx)), Size = onnx.Length } };
            WriteAtomically(target, onnx, card, force);
            return new ModelExportResult(target, card, verification, source, note is null ? [] : [note]);
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> images of the run's data set (test split, or the training split where
    /// there is no test split), preprocessed as evaluation does, repeated to fill <paramref name="count"/> rows.
    /// </summary>
    private static (Tensor Images, string Source) VerificationImages(TrainState state, string? dataDir, int count)
    {
        var config = state.Config;
        ImageDataset data;
        try
        {
            data = EvaluationImages.Load(state, dataDir, "test", count);
        }
        catch (HypersphereException e) when (e.Kind == ErrorKind.NotFound)
        {
            try
            {
                data = EvaluationImages.Load(state, dataDir, "train", count);
            }
            catch (HypersphereException)
            {
                throw new HypersphereException(ErrorKind.NotFound, $"export checks the ONNX file on real images of {config.Dataset}, but none could be read: {e.Message}", e);
            }
        }

        if (data.Count == 0)
        {
            throw new HypersphereException(ErrorKind.NotFound, $"export checks the ONNX file on real images, but {data.Name} has none");
        }

        var pixels = new byte[count * data.ImageSize];
        for (var i = 0; i < count; i++)
        {
            data.Pixels.AsSpan((i % data.Count) * data.ImageSize, data.ImageSize).CopyTo(pixels.AsSpan(i * data.ImageSize));
        }

        var augmenter = new ViewAugmenter(AugmentationSpec.Paper(state.InputSize, config.CropScaleMin, state.Mean, state.Std), state.Channels);
        using var raw = tensor(pixels, [count, data.Channels, data.Height, data.Width]);
        return (augmenter.Clean(raw), data.Name);
    }

    /// <summary>
    /// Folder-level, unlike <see cref="AtomicFile.Write(string, byte[])"/>: the ONNX file and its card must
    /// appear together, and two file renames are not one atomic step, while renaming their folder is. The
    /// files themselves are written and flushed with <see cref="AtomicFile.CreateDurably"/> before that rename.
    /// </summary>
    private static void WriteAtomically(string target, byte[] onnx, ModelCard card, bool force)
    {
        var parent = Path.GetDirectoryName(target)!;
        var createdParent = !Directory.Exists(parent);
        Directory.CreateDirectory(parent);
        var temp = AtomicFile.TempPathBeside(target);
        var replaced = temp + ".replaced";
        try
        {
            Directory.CreateDirectory(temp);
            AtomicFile.CreateDurably(Path.Combine(temp, OnnxFileName), stream => stream.Write(onnx));
            AtomicFile.CreateDurably(Path.Combine(temp, ModelCard.FileName), stream => stream.Write(JsonSerializer.SerializeToUtf8Bytes(card, ModelCard.Json)));
            RefuseExisting(target, force);
            if (Directory.Exists(target))
            {
                Directory.Move(target, replaced);
                try
                {
                    Directory.Move(temp, target);
                }
                catch (IOException)
                {
                    Directory.Move(replaced, target);
                    throw;
                }

                Directory.Delete(replaced, recursive: true);
            }
            else
            {
                Directory.Move(temp, target);
            }
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            if (createdParent && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }

            throw;
        }
    }

    private static void RefuseExisting(string target, bool force)
    {
        if (!force && Directory.Exists(target))
        {
            throw HypersphereException.Invalid($"model folder {target} already exists; choose another version or pass --force to replace it");
        }
    }

    /// <summary>Names become folders: letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    private static void RequireFolderName(string value, string what)
    {
        if (string.IsNullOrEmpty(value) || !char.IsAsciiLetterOrDigit(value[0]) || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw HypersphereException.Invalid($"{what} must be letters, digits, '.', '_' or '-' and start with a letter or digit, but was '{value}'");
        }
    }
}
