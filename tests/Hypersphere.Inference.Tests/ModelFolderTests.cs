using System.Text.Json.Nodes;
using Hypersphere.Core.Errors;
using Hypersphere.Inference.Augmentation;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

public sealed class ModelFolderTests(ToyModel model) : IClassFixture<ToyModel>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void OpenReadsTheCardOfAMatchingFolder()
    {
        var dir = model.WriteFolder(_temp.Folder("toy", "1"));

        var folder = ModelFolder.Open(dir);

        Assert.Equal("toy@1", folder.Id);
        Assert.Equal(Path.Combine(dir, "model.onnx"), folder.OnnxPath);
        Assert.Equal(ToyModel.Dim, folder.Card.EmbeddingDim);
        Assert.Equal(["embedding", "fc7"], folder.Card.Onnx.Outputs);
    }

    [Fact]
    public void MissingCardIsNotFoundAndNamesThePath()
    {
        var dir = _temp.Folder("empty");

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(Path.Combine(dir, "model.json"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFolderIsNotFound()
    {
        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(_temp.File("nope")));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void MissingOnnxFileIsNotFoundAndNamesIt()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        File.Delete(Path.Combine(dir, "model.onnx"));

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains(Path.Combine(dir, "model.onnx"), e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Sha256MismatchIsCorruptAndGivesBothHashes()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        var onnx = Path.Combine(dir, "model.onnx");
        var bytes = File.ReadAllBytes(onnx);
        var claimed = ModelCardFile.Read(Path.Combine(dir, "model.json")).Onnx.Sha256;
        bytes[^1] ^= 0xFF; // same size, different content
        File.WriteAllBytes(onnx, bytes);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.StartsWith($"model.onnx sha256 is {actual}, but the card says {claimed}", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AModelFileReachedThroughASymbolicLinkIsCheckedByWhatItLeadsTo()
    {
        // As Kubernetes mounts ConfigMaps and Secrets: model.onnx is a link to the real file elsewhere.
        var real = model.WriteFolder(_temp.Folder("store", "toy", "1"));
        var dir = _temp.Folder("linked", "toy", "1");
        File.Copy(Path.Combine(real, "model.json"), Path.Combine(dir, "model.json"));
        File.CreateSymbolicLink(Path.Combine(dir, "model.onnx"), Path.Combine(real, "model.onnx"));
        Assert.NotEqual(new FileInfo(Path.Combine(real, "model.onnx")).Length, new FileInfo(Path.Combine(dir, "model.onnx")).Length);

        var folder = ModelFolder.Open(dir);

        Assert.Equal("toy@1", folder.Id);
    }

    [SkippableFact]
    public void SizeMismatchWithTheCardIsCorruptAndGivesBothSizes()
    {
        var dir = model.WriteFolder(_temp.Folder("m"));
        var onnx = Path.Combine(dir, "model.onnx");
        var size = new FileInfo(onnx).Length;
        using (var stream = File.Open(onnx, FileMode.Append))
        {
            stream.WriteByte(0);
        }

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains($"is {size + 1} bytes, but the card says {size}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedJsonIsCorrupt()
    {
        var dir = _temp.Folder("m");
        File.WriteAllText(Path.Combine(dir, "model.json"), "{\"name\": \"toy\", ");

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains("model.json", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("onnx", "sha256")]
    [InlineData("input", "mean")]
    [InlineData(null, "embedding_dim")]
    [InlineData(null, "evaluation")]
    public void MissingFieldIsCorruptAndNamesTheField(string? parent, string field)
    {
        var dir = _temp.Folder("m");
        var json = ValidCardJson();
        (parent is null ? json : json[parent]!.AsObject()).Remove(field);
        File.WriteAllText(Path.Combine(dir, "model.json"), json.ToJsonString());

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("input", "mean", "[0.1, 0.2]", "input.mean must be 1 value (one per channel), but was 2 values")]
    [InlineData("input", "channels", "2", "input.channels must be 1 or 3, but was 2")]
    [InlineData("input", "resize", "\"crop\"", "input.resize must be 'stretch', but was 'crop'")]
    [InlineData("onnx", "sha256", "\"ABC\"", "onnx.sha256 must be 64 lower-case hex digits, but was 'ABC'")]
    [InlineData("onnx", "outputs", "[]", "onnx.outputs must be a non-empty list of tensor names (the embedding first), but was []")]
    [InlineData(null, "embedding_dim", "0", "embedding_dim must be positive, but was 0")]
    [InlineData("training", "augmentation", """{"crop_scale_min": 0, "crop_scale_max": 1, "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.4, "grayscale_probability": 0.2}""",
        "training.augmentation is out of range: crop scale must satisfy 0 < min ≤ max ≤ 1, but was [0, 1]")]
    public void UnusableValueIsCorruptWithAPreciseMessage(string? parent, string field, string value, string message)
    {
        var dir = _temp.Folder("m");
        var json = ValidCardJson();
        (parent is null ? json : json[parent]!.AsObject())[field] = JsonNode.Parse(value);
        File.WriteAllText(Path.Combine(dir, "model.json"), json.ToJsonString());

        var e = Assert.Throws<HypersphereException>(() => ModelFolder.Open(dir));

        Assert.Equal(ErrorKind.Corrupt, e.Kind);
        Assert.EndsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CardRoundTripsThroughWriteAndRead()
    {
        var path = _temp.File("model.json");
        var card = ValidCard();

        ModelCardFile.Write(path, card);
        var read = ModelCardFile.Read(path);

        Assert.Equal(card.Onnx.Sha256, read.Onnx.Sha256);
        Assert.Equal(card.Input.Mean, read.Input.Mean);
        Assert.Equal(card.Training.Augmentation, read.Training.Augmentation);
        Assert.Contains("\"embedding_dim\": 16", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Contains("\"crop_scale_min\": 0.2", File.ReadAllText(path), StringComparison.Ordinal);
    }

    private static ModelCard ValidCard() => new(
        "toy", "1", DateTimeOffset.UnixEpoch, new InputSpec(1, 8, 8, [0.25f], [0.5f], "stretch"), 16,
        new OnnxSpec("model.onnx", new string('a', 64), 100, 8, 17, "images", ["embedding"]),
        new TrainingSpec("toy", "align_uniform", new Dictionary<string, double>(), 1, 4, 1, 7, null, ViewRecipe.Paper()), null);

    private static JsonObject ValidCardJson() =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ValidCard(), ModelCard.Json))!.AsObject();
}
