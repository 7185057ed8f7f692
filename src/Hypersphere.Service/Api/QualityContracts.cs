// The XML docs of these records are their OpenAPI descriptions (the generator reads them).
using System.Text.Json;

namespace Hypersphere.Service.Api;

/// <summary>
/// The body of <c>POST /v1/quality</c>, in one of two forms: embeddings the client computed
/// (<c>embeddings</c>, optional <c>positives</c>), or images that a served model embeds first
/// (<c>input</c>, optional <c>positives</c>, optional <c>model</c>).
/// </summary>
/// <param name="Embeddings">Embeddings form: N rows of d numbers (N ≥ 2). Rows must have unit L2 norm unless <c>normalize</c> is true.</param>
/// <param name="Positives">Optional positive views, paired row for row with <c>embeddings</c> (or, in the image form, item for item with <c>input</c>, given like it). Enables alignment.</param>
/// <param name="Labels">Optional class labels, one per row: integers or strings (1 and "1" are the same class). Enables k-NN accuracy.</param>
/// <param name="Alpha">Alignment exponent α &gt; 0 (default 2).</param>
/// <param name="T">Uniformity kernel width t &gt; 0 (default 2).</param>
/// <param name="Normalize">L2-normalise rows instead of refusing rows that are not unit norm (default false).</param>
/// <param name="Model">Image form only: the model that embeds <c>input</c>, <c>name</c> or <c>name@version</c> (default: the default model).</param>
/// <param name="Input">Image form: items to embed first, as in <c>/v1/embeddings</c> (base64 images or arrays of C·H·W preprocessed floats).</param>
/// <param name="SamplePairs">Estimate uniformity from this many uniformly drawn pairs (and alignment from as many positive pairs), with 95 % intervals in <c>uniformity_ci</c> and <c>alignment_ci</c>.</param>
/// <param name="Error">Estimate from as many pairs as a 95 % half-width of about this on uniformity needs.</param>
/// <param name="Seed">Seed of the sampled pairs and rows (default 0).</param>
/// <param name="Exact">Visit every pair. By default inputs above the server's exact limit (Hypersphere:QualityExactMaxPairs) are sampled, and the warnings say so.</param>
/// <remarks>A missing <see cref="JsonElement"/> field is <see cref="JsonValueKind.Undefined"/>; none is required by the schema.</remarks>
public sealed record QualityRequest(
    JsonElement Embeddings,
    JsonElement Positives,
    JsonElement Labels,
    JsonElement Input,
    double? Alpha = null,
    double? T = null,
    bool? Normalize = null,
    string? Model = null,
    long? SamplePairs = null,
    double? Error = null,
    int? Seed = null,
    bool? Exact = null);
