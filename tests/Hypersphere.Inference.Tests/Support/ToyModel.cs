using System.Security.Cryptography;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference.Tests.Support;

/// <summary>
/// The python3-onnx toy encoder (<see cref="ToyOnnxModels"/>) for seed 1234, with model cards that match it.
/// Built once per test class; tests copy it into their own folders.
/// </summary>
public sealed class ToyModel : IDisposable
{
    public const int Channels = ToyOnnxModels.Channels, Height = ToyOnnxModels.Height, Width = ToyOnnxModels.Width, Dim = ToyOnnxModels.Dim;
    public const string InputName = ToyOnnxModels.InputName, EmbeddingName = ToyOnnxModels.EmbeddingName, Fc7Name = ToyOnnxModels.Fc7Name;

    private const int Seed = 1234;

    private readonly ToyOnnxModels _models = new(Seed);

    /// <summary>W, (C·H·W)×D row-major, as python wrote it (empty where python3-onnx is missing).</summary>
    public double[] Weights => _models.Available ? _models.Weights(Seed) : [];

    public string OnnxPath => _models.OnnxPath(Seed);

    /// <summary>Skips the test where python3-onnx is missing, except on CI (CI=true), where that is a failure.</summary>
    public void Require() => _models.Require();

    /// <summary>Copies the model into <paramref name="directory"/> with a matching card (changed by <paramref name="edit"/>).</summary>
    public string WriteFolder(string directory, Func<ModelCard, ModelCard>? edit = null)
    {
        var card = CardFor(_models.CopyModel(Seed, directory));
        ModelCardFile.Write(Path.Combine(directory, ModelCard.FileName), edit is null ? card : edit(card));
        return directory;
    }

    /// <summary>A card that describes the file at <paramref name="onnxPath"/> (its size and sha256 as computed here).</summary>
    public static ModelCard CardFor(string onnxPath)
    {
        var bytes = File.ReadAllBytes(onnxPath);
        return new ModelCard(
            "toy",
            "1",
            DateTimeOffset.UnixEpoch,
            new InputSpec(Channels, Height, Width, [0.25f], [0.5f], "stretch"),
            Dim,
            new OnnxSpec("model.onnx", Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, ToyOnnxModels.IrVersion, ToyOnnxModels.Opset, InputName, [EmbeddingName, Fc7Name]),
            new TrainingSpec("toy", "align_uniform", new Dictionary<string, double> { ["alpha"] = 2, ["t"] = 2 }, 1, 4, 1, 7, null),
            null);
    }

    /// <summary>The model's math in float64: x·W, then divided by max(‖x·W‖, 1e-12).</summary>
    public (double[] Embedding, double[] Fc7) Reference(ReadOnlySpan<float> pixels, int batch) => _models.Reference(Seed, pixels, batch);

    public void Dispose() => _models.Dispose();
}
