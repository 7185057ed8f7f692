using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Training.Training;

namespace Hypersphere.Training.Export;

/// <summary>
/// Builds the <see cref="ModelCard"/> of a trained run and the ONNX metadata_props that repeat its
/// facts inside the model file, so a bare <c>model.onnx</c> still says what it is.
/// </summary>
public static class ModelCards
{
    /// <summary>The report <c>hypersphere eval</c> leaves in a run folder; its scores go into the card.</summary>
    public const string EvaluationFileName = "eval.json";

    /// <summary>
    /// The card of the run described by <paramref name="state"/>; <see cref="OnnxSpec.Sha256"/> and
    /// <see cref="OnnxSpec.Size"/> are left empty until the ONNX bytes exist.
    /// </summary>
    public static ModelCard FromRun(string name, string version, TrainState state, IReadOnlyList<string> outputs, EvaluationSpec? evaluation, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(state);
        var config = state.Config;
        var loss = config.Loss;
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["align_weight"] = loss.AlignWeight,
            ["uniform_weight"] = loss.UniformWeight,
            ["contrastive_weight"] = loss.ContrastiveWeight,
            ["alpha"] = loss.Alpha,
            ["t"] = loss.T,
            ["tau"] = loss.Tau,
        };
        if (loss.Moco is { } moco)
        {
            parameters["moco_queue_size"] = moco.QueueSize;
            parameters["moco_momentum"] = moco.Momentum;
            parameters["moco_intra_batch"] = moco.IntraBatch ? 1 : 0;
        }

        return new ModelCard(
            name,
            version,
            created,
            new InputSpec(state.Channels, state.InputSize, state.InputSize, state.Mean, state.Std, ModelCardFile.StretchResize),
            config.FeatureDim,
            new OnnxSpec("model.onnx", string.Empty, 0, OnnxExporter.IrVersion, OnnxExporter.Opset, OnnxExporter.InputName, outputs),
            new TrainingSpec(config.Dataset, loss.Preset, parameters, state.Epoch, config.BatchSize, config.Width, config.Seed, state.SourceCommit,
                Inference.Augmentation.ViewRecipe.Paper(config.CropScaleMin)),
            evaluation);
    }

    /// <summary>The card's facts as ONNX metadata_props (string keys and values, invariant culture).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Metadata(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var input = card.Input;
        var training = card.Training;
        var entries = new List<KeyValuePair<string, string>>
        {
            new("name", card.Name),
            new("version", card.Version),
            new("created", card.Created.ToString("O", CultureInfo.InvariantCulture)),
            new("embedding_dim", Text(card.EmbeddingDim)),
            new("input_channels", Text(input.Channels)),
            new("input_height", Text(input.Height)),
            new("input_width", Text(input.Width)),
            new("input_mean", string.Join(",", input.Mean.Select(m => Text(m)))),
            new("input_std", string.Join(",", input.Std.Select(s => Text(s)))),
            new("input_resize", input.Resize),
            new("dataset", training.Dataset),
            new("loss", training.Loss),
        };
        entries.AddRange(training.LossParameters.Select(p => new KeyValuePair<string, string>($"loss_{p.Key}", Text(p.Value))));
        entries.Add(new("epochs", Text(training.Epochs)));
        entries.Add(new("batch_size", Text(training.BatchSize)));
        entries.Add(new("width", Text(training.Width)));
        entries.Add(new("seed", Text(training.Seed)));
        if (training.SourceCommit is { } commit)
        {
            entries.Add(new("source_commit", commit));
        }

        if (card.Evaluation is { } e)
        {
            var scores = new (string Key, double? Value)[]
            {
                ("knn5_output", e.Knn5Output), ("linear_output", e.LinearOutput), ("linear_fc7", e.LinearFc7),
                ("alignment", e.Alignment), ("uniformity", e.Uniformity),
            };
            entries.AddRange(scores.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string>($"evaluation_{s.Key}", Text(s.Value!.Value))));
        }

        return entries;
    }

    /// <summary>
    /// The scores in <c>eval.json</c> of <paramref name="runFolder"/>, or null when there is none or it
    /// scored another epoch than the checkpoint holds (then the note says so: its scores would describe
    /// other weights).
    /// </summary>
    public static (EvaluationSpec? Evaluation, string? Note) ReadEvaluation(string runFolder, TrainState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var path = Path.Combine(runFolder, EvaluationFileName);
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = json.RootElement;
            if (root.TryGetProperty("epochs_trained", out var epochs) && epochs.GetInt32() != state.Epoch)
            {
                return (null, $"{path} scored epoch {epochs.GetInt32()} but the checkpoint holds epoch {state.Epoch}; the card has no evaluation (run hypersphere eval again)");
            }

            var evaluation = new EvaluationSpec(
                Optional(root, "knn5_output"), Optional(root, "linear_output"), Optional(root, "linear_fc7"),
                Required(root, "alignment", path), Required(root, "uniformity", path));
            return (evaluation, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{path} is not an evaluation report of hypersphere eval: {e.Message}", e);
        }
    }

    private static double? Optional(JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetDouble() : null;

    private static double Required(JsonElement root, string key, string path) =>
        Optional(root, key) ?? throw new HypersphereException(ErrorKind.Corrupt, $"{path} has no '{key}'; run hypersphere eval again");

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
