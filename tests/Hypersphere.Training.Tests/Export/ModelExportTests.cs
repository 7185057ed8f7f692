using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Hypersphere.Training.Evaluation;
using Hypersphere.Training.Export;
using Hypersphere.Training.Export.Onnx;
using Hypersphere.Training.Losses;
using Hypersphere.Training.Tests.Data;
using Hypersphere.Training.Training;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Hypersphere.Training.Tests.Export;

public class ModelExportTests(ITestOutputHelper output)
{
    private static readonly TrainConfig Config =
        new("fashion-mnist", null, LossSpec.FromPreset("contrastive") with { Tau = 0.19 }, 3, 64, Width: 0.0625, FeatureDim: 16, Seed: 3);

    private static readonly TrainState State =
        new(Config, 3, 0, 30, 0, 0, 1, 28, ExportFixtures.FashionMean, ExportFixtures.FashionStd, "0123abcd");

    [Fact]
    public void ExportWritesAVerifiedModelWhoseCardRoundTripsAndHashesTheFile()
    {
        using var folder = new TempFolder();
        var run = RunFolder(folder, evaluation: true);
        var models = folder.File("models");

        var result = ModelExport.Run(run, models, "tiny", "1", ["fc7", "conv5"]);
        output.WriteLine($"{result.VerificationImages}: {result.Verification.Summary}");

        Assert.Equal(Path.Combine(models, "tiny", "1"), result.Folder);
        Assert.Equal(["model.json", "model.onnx"], Directory.GetFiles(result.Folder).Select(Path.GetFileName).Order());
        Assert.Equal(["1"], Directory.GetFileSystemEntries(Path.Combine(models, "tiny")).Select(Path.GetFileName));
        Assert.Equal("fashion-mnist/test", result.VerificationImages);
        Assert.Equal([1, 7, 64], result.Verification.BatchSizes);
        Assert.All(result.Verification.MaxAbsDifference.Values, d => Assert.InRange(d, 0, 1e-5));

        var bytes = File.ReadAllBytes(Path.Combine(result.Folder, "model.onnx"));
        var json = File.ReadAllText(Path.Combine(result.Folder, ModelCard.FileName));
        var card = JsonSerializer.Deserialize<ModelCard>(json, ModelCard.Json)!;
        Assert.Equivalent(result.Card, card, strict: true);
        Assert.Equal(json, JsonSerializer.Serialize(card, ModelCard.Json));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), card.Onnx.Sha256);
        Assert.Equal(bytes.Length, card.Onnx.Size);

        Assert.Equal(new InputSpec(1, 28, 28, card.Input.Mean, card.Input.Std, "stretch"), card.Input);
        Assert.Equal(ExportFixtures.FashionMean, card.Input.Mean);
        Assert.Equal(16, card.EmbeddingDim);
        Assert.Equal(new OnnxSpec("model.onnx", card.Onnx.Sha256, bytes.Length, 8, 17, "pixels", card.Onnx.Outputs), card.Onnx);
        Assert.Equal(["embedding", "fc7", "conv5"], card.Onnx.Outputs);
        Assert.Equal(("fashion-mnist", "contrastive", 3, 64, 0.0625, 3L, "0123abcd"), (card.Training.Dataset, card.Training.Loss, card.Training.Epochs, card.Training.BatchSize, card.Training.Width, card.Training.Seed, card.Training.SourceCommit));
        Assert.Equal(0.19, card.Training.LossParameters["tau"]);
        Assert.Equal(1, card.Training.LossParameters["contrastive_weight"]);
        Assert.Equal(new EvaluationSpec(0.71, 0.74, 0.78, 0.62, -3.1), card.Evaluation);

        // The file itself carries the card's facts and the interface the card promises.
        using var session = new InferenceSession(bytes);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(("tiny", "1", "fashion-mnist", "16", "0.19", "0.62"), (metadata["name"], metadata["version"], metadata["dataset"], metadata["embedding_dim"], metadata["loss_tau"], metadata["evaluation_alignment"]));
        Assert.Equal(card.Onnx.Outputs, session.OutputNames);
        Assert.Equal(card.Onnx.Input, Assert.Single(session.InputNames));
    }

    [Fact]
    public void WithoutEvalJsonTheCardHasNoEvaluation()
    {
        using var folder = new TempFolder();
        var result = ModelExport.Run(RunFolder(folder, evaluation: false), folder.File("models"), "tiny", "1");
        Assert.Null(result.Card.Evaluation);
        Assert.Empty(result.Notes);
        Assert.Equal(["embedding"], result.Card.Onnx.Outputs);
        Assert.Contains("\"evaluation\": null", File.ReadAllText(Path.Combine(result.Folder, ModelCard.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEvalJsonOfAnotherEpochIsLeftOutOfTheCardWithANote()
    {
        using var folder = new TempFolder();
        var result = ModelExport.Run(RunFolder(folder, evaluation: true, evaluatedEpoch: 2), folder.File("models"), "tiny", "1");
        Assert.Null(result.Card.Evaluation);
        Assert.Contains("scored epoch 2 but the checkpoint holds epoch 3", Assert.Single(result.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void AWeightCorruptedBeforeVerificationFailsTheExportAndLeavesNoFolder()
    {
        using var folder = new TempFolder();
        var run = RunFolder(folder, evaluation: false);
        var models = folder.File("models");

        var error = Assert.Throws<HypersphereException>(() => ModelExport.Run(run, models, "tiny", "1", null, false, null, tamper: ShiftFc8Bias));
        output.WriteLine(error.Message);
        Assert.Equal(ErrorKind.Corrupt, error.Kind);
        Assert.Contains("does not reproduce the TorchSharp encoder", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(models) && Directory.EnumerateFileSystemEntries(models, "*", SearchOption.AllDirectories).Any(), "the failed export left files behind");
    }

    [Fact]
    public void AnExistingVersionIsKeptUnlessForced()
    {
        using var folder = new TempFolder();
        var run = RunFolder(folder, evaluation: false);
        var models = folder.File("models");
        var first = ModelExport.Run(run, models, "tiny", "1");
        var card = File.ReadAllText(Path.Combine(first.Folder, ModelCard.FileName));

        var error = Assert.Throws<HypersphereException>(() => ModelExport.Run(run, models, "tiny", "1"));
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal(card, File.ReadAllText(Path.Combine(first.Folder, ModelCard.FileName)));

        var forced = ModelExport.Run(run, models, "tiny", "1", ["fc7"], force: true);
        Assert.Equal(["embedding", "fc7"], JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(forced.Folder, ModelCard.FileName)), ModelCard.Json)!.Onnx.Outputs);
        Assert.Equal(["1"], Directory.GetFileSystemEntries(Path.Combine(models, "tiny")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("")]
    [InlineData(".hidden")]
    public void NamesThatAreNotPlainFolderNamesAreRefused(string name)
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<HypersphereException>(() => ModelExport.Run(folder.Path, folder.File("models"), name, "1"));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
    }

    /// <summary>A run folder whose checkpoint holds an encoder with non-trivial BatchNorm, and optionally an eval.json.</summary>
    private static string RunFolder(TempFolder folder, bool evaluation, int evaluatedEpoch = 3)
    {
        var run = folder.Folder("run");
        using var encoder = ExportFixtures.WithBatchNormStatistics(seed: Config.Seed);
        Checkpoint.Save(run, State, encoder, null, null, null);
        if (evaluation)
        {
            var report = new EvaluationReport("fashion-mnist", 60000, 10000, evaluatedEpoch, 0.71, 0.7, 0.74, 0.78, 100, 0.62, -3.1, -3.5, 12.5, 60);
            File.WriteAllText(Path.Combine(run, "eval.json"), JsonSerializer.Serialize(report, Checkpoint.IndentedJson));
        }

        return run;
    }

    /// <summary>Adds 0.5 to fc8's first bias: a plausible file that computes something else.</summary>
    private static byte[] ShiftFc8Bias(byte[] onnx)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        var bias = model.Graph.Initializer.Single(i => i.Name == "fc8.bias");
        var values = bias.RawData.ToByteArray();
        BitConverter.TryWriteBytes(values, BitConverter.ToSingle(values) + 0.5f);
        bias.RawData = ByteString.CopyFrom(values);
        return model.ToByteArray();
    }
}
