using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference;

/// <summary>
/// <c>model.json</c>, the card beside <c>model.onnx</c> in <c>models/&lt;name&gt;/&lt;version&gt;/</c>: what the model
/// expects, what it returns, how it was trained and how it scored. Serialised snake_case (<see cref="Json"/>).
/// </summary>
/// <param name="Name">Model name (the folder's parent).</param>
/// <param name="Version">Model version (the folder).</param>
/// <param name="Created">When it was exported (UTC).</param>
/// <param name="Input">Input image spec and preprocessing.</param>
/// <param name="EmbeddingDim">Dimension D of the unit-norm output.</param>
/// <param name="Onnx">The ONNX file and its interface.</param>
/// <param name="Training">How the encoder was trained.</param>
/// <param name="Evaluation">How it scored, or null if not evaluated.</param>
public sealed record ModelCard(
    string Name,
    string Version,
    DateTimeOffset Created,
    InputSpec Input,
    int EmbeddingDim,
    OnnxSpec Onnx,
    TrainingSpec Training,
    EvaluationSpec? Evaluation)
{
    /// <summary>The card's file name.</summary>
    public const string FileName = "model.json";

    /// <summary>JSON options of cards: the project's <see cref="SnakeCaseJson.Indented"/>.</summary>
    public static JsonSerializerOptions Json => SnakeCaseJson.Indented;
}

/// <summary>What the model takes: channel-first float images of a fixed size, normalised per channel.</summary>
/// <param name="Channels">C (1 or 3).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="Mean">Per-channel mean subtracted from pixels scaled to [0, 1].</param>
/// <param name="Std">Per-channel std divided after subtracting the mean.</param>
/// <param name="Resize">How other sizes are brought to H×W: <c>stretch</c> (<see cref="ModelCardFile.StretchResize"/>).</param>
public sealed record InputSpec(int Channels, int Height, int Width, float[] Mean, float[] Std, string Resize);

/// <summary>The ONNX file and its graph interface.</summary>
/// <param name="File">File name beside the card.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file; checked on load.</param>
/// <param name="Size">File size in bytes.</param>
/// <param name="IrVersion">ONNX IR version.</param>
/// <param name="Opset">Default-domain opset.</param>
/// <param name="Input">Name of the input tensor (float [N, C, H, W]).</param>
/// <param name="Outputs">Output tensor names; the first is the embedding (float [N, D], unit rows).</param>
public sealed record OnnxSpec(string File, string Sha256, long Size, long IrVersion, long Opset, string Input, IReadOnlyList<string> Outputs);

/// <summary>How the encoder was trained.</summary>
/// <param name="Dataset">Training data set.</param>
/// <param name="Loss">Loss preset.</param>
/// <param name="LossParameters">Weights and parameters of the loss (alpha, t, tau, …).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Width">SmallAlexNet width multiplier.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="SourceCommit">git commit of the trainer, if known.</param>
/// <param name="Augmentation">
/// How training views were made; null in cards written before it was recorded (those models used
/// <see cref="Augmentation.ViewRecipe.Paper"/> with the default crop scale).
/// </param>
public sealed record TrainingSpec(
    string Dataset,
    string Loss,
    IReadOnlyDictionary<string, double> LossParameters,
    int Epochs,
    int BatchSize,
    double Width,
    long Seed,
    string? SourceCommit,
    Augmentation.ViewRecipe? Augmentation = null);

/// <summary>Scores from <c>hypersphere eval</c>, accuracies as fractions.</summary>
/// <param name="Knn5Output">5-NN on the output.</param>
/// <param name="LinearOutput">Linear probe on the output.</param>
/// <param name="LinearFc7">Linear probe on fc7.</param>
/// <param name="Alignment">Held-out alignment (α = 2).</param>
/// <param name="Uniformity">Held-out uniformity (t = 2).</param>
public sealed record EvaluationSpec(double? Knn5Output, double? LinearOutput, double? LinearFc7, double Alignment, double Uniformity);
