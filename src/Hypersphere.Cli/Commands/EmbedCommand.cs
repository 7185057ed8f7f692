using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hypersphere.Core.IO;
using Hypersphere.Inference;
using Hypersphere.Training.Augmentation;

namespace Hypersphere.Cli.Commands;

/// <summary><c>hypersphere embed</c>: embeddings of images with an exported model, written as .npy.</summary>
internal static class EmbedCommand
{
    private static readonly JsonSerializerOptions SummaryJson = new(SnakeCaseJson.Compact)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a terminal reads ' and × better than \u0027
    };

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "Model folder models/<name>/<version> (with model.onnx and model.json), or models/<name> for its latest version",
            Required = true,
        };
        var input = new Option<string>("--input", "-i")
        {
            Description = "An image file, a folder of images, a .npy array (N,H,W) or (N,C,H,W): uint8 pixels, or floats in [0, 1] at the model's size; or an IDX image file (gzipped or not)",
            Required = true,
        };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Where to write the N×D float32 embeddings (.npy)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Images per ONNX Runtime run", DefaultValueFactory = _ => Embedder.DefaultBatchSize };
        var provider = new Option<string>("--provider") { Description = "Execution provider: auto (CUDA if it loads, else CPU), cuda or cpu", DefaultValueFactory = _ => "auto" };
        var augment = new Option<long?>("--augment")
        {
            Description = "Embed one random training view of each image instead (the paper's recipe: resized crop, flip, colour jitter), drawn from this seed: positives for `quality` and `report`",
            HelpName = "SEED",
        };

        var command = new Command("embed", "Embed images with an exported ONNX model; writes .npy and prints a JSON summary")
        {
            model, input, output, batch, provider, augment,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var options = new EncoderOptions(ExecutionProviders.Parse(parse.GetValue(provider)!));
            using var encoder = OnnxEncoder.Open(ModelRepository.ResolveFolder(parse.GetValue(model)!), options);
            if (encoder.Provider.FallbackReason is { } reason)
            {
                Console.Error.WriteLine($"warning: running on the CPU: {reason}");
            }

            var embedder = new Embedder(encoder, parse.GetValue(batch));
            var images = EmbeddingInputs.Open(parse.GetValue(input)!, new ImagePreprocessor(encoder.Card.Input));
            if (parse.GetValue(augment) is { } seed)
            {
                images = new AugmentedImages(images, seed);
            }

            var embeddings = embedder.Embed(images);
            var path = parse.GetValue(output)!.FullName;
            embeddings.WriteNpy(path);
            Console.Out.WriteLine(JsonSerializer.Serialize(
                new Summary(encoder.Folder.Id, encoder.Provider.Name, encoder.Provider.FallbackReason, images.Description, embeddings.Count, embeddings.Dim, path),
                SummaryJson));
            return 0;
        }));
        return command;
    }

    private sealed record Summary(string Model, string Provider, string? FallbackReason, string Input, int Count, int Dim, string Out);
}
