using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference;

/// <summary>
/// Reads and checks <c>model.json</c>. A card that does not parse, lacks a field or holds a value the
/// loader cannot use is <see cref="ErrorKind.Corrupt"/>, with the field named as it is spelt in the
/// file (e.g. <c>input.mean</c>); a missing card is <see cref="ErrorKind.NotFound"/>.
/// </summary>
public static class ModelCardFile
{
    /// <summary>
    /// The only resize policy so far: to exactly H×W, aspect ratio not kept, by <see cref="PixelPlanes"/> (Skia:
    /// bilinear with linear mipmaps when shrinking, Mitchell cubic when enlarging), for training's evaluation and
    /// the service alike.
    /// </summary>
    public const string StretchResize = "stretch";

    // Every constructor parameter is required (a card without `evaluation` must say null), and null is
    // refused where the record says non-null: the serializer then names the missing field itself.
    private static readonly JsonSerializerOptions StrictJson = CreateStrictJson();

    /// <summary>Reads and validates the card at <paramref name="path"/>.</summary>
    public static ModelCard Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"model card '{path}' does not exist; a model folder needs {ModelCard.FileName} beside its model.onnx");
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates card JSON; <paramref name="source"/> names it in messages.</summary>
    public static ModelCard Parse(ReadOnlySpan<byte> json, string source)
    {
        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(json, StrictJson);
        }
        catch (JsonException e)
        {
            var at = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" at {e.Path}";
            throw new HypersphereException(ErrorKind.Corrupt, $"model card '{source}' is not a valid card{at}: {e.Message}", e);
        }

        if (card is null)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model card '{source}' must be a JSON object, but was null");
        }

        Validate(card, source);
        return card;
    }

    /// <summary>Writes <paramref name="card"/> as indented snake_case JSON, atomically (a reloading service never reads half a card).</summary>
    public static void Write(string path, ModelCard card) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(card, ModelCard.Json));

    /// <summary>Checks the values the loader and the preprocessor rely on.</summary>
    public static void Validate(ModelCard card, string source)
    {
        ArgumentNullException.ThrowIfNull(card);
        var input = card.Input;
        Require(card.Name.Length > 0, source, "name", "a non-empty string", "empty");
        Require(card.Version.Length > 0, source, "version", "a non-empty string", "empty");
        Require(input.Channels is 1 or 3, source, "input.channels", "1 or 3", Text(input.Channels));
        Require(input.Height > 0, source, "input.height", "positive", Text(input.Height));
        Require(input.Width > 0, source, "input.width", "positive", Text(input.Width));
        Require(input.Mean.Length == input.Channels, source, "input.mean", $"{Values(input.Channels)} (one per channel)", Values(input.Mean.Length));
        Require(input.Std.Length == input.Channels, source, "input.std", $"{Values(input.Channels)} (one per channel)", Values(input.Std.Length));
        for (var c = 0; c < input.Channels; c++)
        {
            Require(float.IsFinite(input.Mean[c]), source, $"input.mean[{c}]", "finite", Text(input.Mean[c]));
            Require(float.IsFinite(input.Std[c]) && input.Std[c] > 0, source, $"input.std[{c}]", "finite and positive", Text(input.Std[c]));
        }

        Require(input.Resize == StretchResize, source, "input.resize", $"'{StretchResize}'", $"'{input.Resize}'");
        Require(card.EmbeddingDim > 0, source, "embedding_dim", "positive", Text(card.EmbeddingDim));

        var onnx = card.Onnx;
        Require(onnx.File.Length > 0 && Path.GetFileName(onnx.File) == onnx.File, source, "onnx.file", "a file name beside the card", $"'{onnx.File}'");
        Require(onnx.Sha256.Length == 64 && onnx.Sha256.All(char.IsAsciiHexDigitLower), source, "onnx.sha256", "64 lower-case hex digits", $"'{onnx.Sha256}'");
        Require(onnx.Size >= 0, source, "onnx.size", "at least 0", Text(onnx.Size));
        Require(onnx.Input.Length > 0, source, "onnx.input", "a tensor name", "empty");
        Require(onnx.Outputs.Count > 0 && onnx.Outputs.All(o => !string.IsNullOrEmpty(o)), source, "onnx.outputs", "a non-empty list of tensor names (the embedding first)", $"[{string.Join(", ", onnx.Outputs)}]");
        if (card.Training.Augmentation is { } recipe)
        {
            try
            {
                recipe.Validate();
            }
            catch (HypersphereException e)
            {
                throw new HypersphereException(ErrorKind.Corrupt, $"model card '{source}': training.augmentation is out of range: {e.Message}", e);
            }
        }
    }

    private static void Require(bool ok, string source, string field, string expected, string actual)
    {
        if (!ok)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"model card '{source}': {field} must be {expected}, but was {actual}");
        }
    }

    private static string Values(int n) => n == 1 ? "1 value" : $"{n} values";

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonSerializerOptions CreateStrictJson()
    {
        var options = SnakeCaseJson.Create(indented: true);
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
        return options;
    }
}
