using System.Text.Json;
using Hypersphere.Service.Runtime.Models;

namespace Hypersphere.Service.Runtime;

/// <summary>
/// The one contract between the HTTP handlers and the models (text-embeddings-inference keeps its router apart from
/// its backend the same way): a handler parses a request into raw inputs, calls this, and maps the answer. Behind it
/// the runtime resolves the model, preprocesses the inputs within the request's pixel budget (images are decoded
/// here, under the request's admission permit and timeout), batches them with other requests and runs ONNX Runtime.
/// Failures are <see cref="Core.Errors.HypersphereException"/>s whose messages name the input at fault.
/// </summary>
public interface IEmbeddingRuntime
{
    /// <summary>
    /// Embeds every source with one model version (so that, say, a quality request's inputs and positives are
    /// embedded by the same session even if a reload happens meanwhile).
    /// </summary>
    /// <param name="model"><c>name</c>, <c>name@version</c>, or null for the default model.</param>
    /// <param name="sources">The raw inputs, each embedded into its own set of rows.</param>
    /// <param name="cancellationToken">The request's token (client gone, request timeout).</param>
    Task<EmbeddingResult> EmbedAsync(string? model, IReadOnlyList<EmbeddingSource> sources, CancellationToken cancellationToken);
}

/// <summary>Inputs as a client sent them; <see cref="Field"/> names them in error messages.</summary>
/// <param name="Field">What the request calls this input (<c>input</c>, <c>positives</c>, <c>the request body</c>).</param>
public abstract record EmbeddingSource(string Field);

/// <summary>A JSON <c>input</c>: one item or an array of items, each a base64 image or an array of C·H·W preprocessed floats.</summary>
/// <param name="Items">The JSON value.</param>
/// <param name="Field">Its name in the request.</param>
public sealed record JsonItemsSource(JsonElement Items, string Field = "input") : EmbeddingSource(Field);

/// <summary>A NumPy .npy array of images, (N, H, W) or (N, C, H, W): uint8 pixels, or floats in [0, 1] at the model's size.</summary>
/// <param name="Bytes">The file's bytes.</param>
/// <param name="Field">Its name in messages.</param>
public sealed record NpySource(byte[] Bytes, string Field = "the request body") : EmbeddingSource(Field);

/// <summary>What <see cref="IEmbeddingRuntime.EmbedAsync"/> computed.</summary>
/// <param name="Model">The model version that computed every set.</param>
/// <param name="Provider">The ONNX Runtime execution provider it ran on.</param>
/// <param name="Dim">Dimension D of each row.</param>
/// <param name="Sets">One set of unit rows per source, in order.</param>
public sealed record EmbeddingResult(ModelId Model, string Provider, int Dim, IReadOnlyList<EmbeddingRows> Sets);

/// <summary>Rows of one source.</summary>
/// <param name="Values">Count·D floats, row after row.</param>
/// <param name="Count">Number of rows (the source's items, in order).</param>
public sealed record EmbeddingRows(float[] Values, int Count);
