using System.Security.Cryptography;
using Hypersphere.Inference;

namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// The python3-onnx toy encoders (<see cref="ToyOnnxModels"/>) for seeds 1 and 2, so two versions of "toy"
/// compute different embeddings, written as model folders with cards that match them.
/// </summary>
public sealed class ToyModels : IDisposable
{
    public const int Dim = ToyOnnxModels.Dim, ImageSize = ToyOnnxModels.ImageSize;
    public const float Mean = 0.25f, Std = 0.5f;
    public static readonly int[] Seeds = [1, 2];

    private readonly ToyOnnxModels _models = new(Seeds);

    public bool Available => _models.Available;

    /// <summary>Skips the calling test where python3-onnx is missing; fails it on CI.</summary>
    public void Require() => _models.Require();

    /// <summary>Writes models/<paramref name="name"/>/<paramref name="version"/> with the seed's ONNX file and a card that matches it (sha256, size).</summary>
    public string WriteVersion(string modelsRoot, string name, string version, int seed, Func<ModelCard, ModelCard>? edit = null)
    {
        var directory = Path.Combine(modelsRoot, name, version);
        var card = CardFor(_models.CopyModel(seed, directory), name, version);
        ModelCardFile.Write(Path.Combine(directory, ModelCard.FileName), edit is null ? card : edit(card));
        return directory;
    }

    public static ModelCard CardFor(string onnxPath, string name, string version)
    {
        var bytes = File.ReadAllBytes(onnxPath);
        return new ModelCard(
            name,
            version,
            DateTimeOffset.UnixEpoch,
            new InputSpec(ToyOnnxModels.Channels, ToyOnnxModels.Height, ToyOnnxModels.Width, [Mean], [Std], "stretch"),
            Dim,
            new OnnxSpec("model.onnx", Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, ToyOnnxModels.IrVersion, ToyOnnxModels.Opset, ToyOnnxModels.InputName, [ToyOnnxModels.EmbeddingName, ToyOnnxModels.Fc7Name]),
            new TrainingSpec("toy", "align_uniform", new Dictionary<string, double> { ["alpha"] = 2, ["t"] = 2 }, 1, 4, 1, 7, null),
            new EvaluationSpec(0.5, 0.6, 0.7, 0.8, -3.1));
    }

    /// <summary>The model's math in float64 for the seed's W: x·W divided by max(‖x·W‖, 1e-12), one row per image.</summary>
    public double[][] Reference(int seed, ReadOnlySpan<float> pixels, int batch)
    {
        var embedding = _models.Reference(seed, pixels, batch).Embedding;
        return Enumerable.Range(0, batch).Select(n => embedding.AsSpan(n * Dim, Dim).ToArray()).ToArray();
    }

    /// <summary>Preprocessing of 8-bit gray pixels as the card says: (byte / 255 − mean) / std in float32.</summary>
    public static float[] Preprocess(byte[] gray) => gray.Select(b => ((b / 255f) - Mean) / Std).ToArray();

    public void Dispose() => _models.Dispose();
}
