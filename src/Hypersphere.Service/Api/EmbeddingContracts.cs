// The XML docs of these records are their OpenAPI descriptions (the generator reads them).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hypersphere.Service.Api;

/// <summary>The body of <c>POST /v1/embeddings</c>, shaped like OpenAI's.</summary>
/// <param name="Input">
/// What to embed: one item or an array of items. An item is a base64 PNG, JPEG or BMP image (a data URL such as
/// <c>data:image/png;base64,…</c> is accepted), or an array of exactly C·H·W floats already preprocessed for the model
/// (channel-first, normalised with the card's mean and std). A flat array of numbers is one such item.
/// </param>
/// <param name="Model">The model: <c>name</c> (its latest version) or <c>name@version</c>. Omitted: the configured default model, else the first model by name.</param>
/// <param name="EncodingFormat"><c>float</c> (default): embeddings as arrays of numbers; <c>base64</c>: each embedding as base64 of its little-endian float32 bytes.</param>
public sealed record EmbeddingRequest(JsonElement Input, string? Model = null, string? EncodingFormat = null);

/// <summary>The answer of <c>POST /v1/embeddings</c>.</summary>
/// <param name="Kind">Always <c>list</c>.</param>
/// <param name="Data">One embedding per input item, in input order.</param>
/// <param name="Model">The model that computed them, <c>name@version</c>.</param>
/// <param name="Usage">What the request used.</param>
public sealed record EmbeddingResponse(
    [property: JsonPropertyName("object")] string Kind,
    IReadOnlyList<EmbeddingData> Data,
    string Model,
    EmbeddingUsage Usage);

/// <summary>One embedding.</summary>
/// <param name="Kind">Always <c>embedding</c>.</param>
/// <param name="Index">The item's position in <c>input</c>.</param>
/// <param name="Embedding">The unit-norm embedding: an array of D numbers, or with <c>encoding_format</c> <c>base64</c> a base64 string of D little-endian float32 values.</param>
public sealed record EmbeddingData(
    [property: JsonPropertyName("object")] string Kind,
    int Index,
    object Embedding);

/// <summary>Usage in OpenAI's shape. Images have no tokens: each input item counts as one.</summary>
/// <param name="PromptTokens">Number of input items (each image or float array counts as one token).</param>
/// <param name="TotalTokens">Same as <c>prompt_tokens</c>.</param>
public sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);
