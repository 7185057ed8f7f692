using System.Text.Json;
using Hypersphere.Core.Comparison;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Api;

/// <summary>
/// The body of <c>POST /v1/compare</c>: two representations of the same inputs (<c>a</c>, <c>b</c>), or images that two
/// served models embed (<c>input</c>, <c>models</c>).
/// </summary>
/// <param name="A">Representation A: N rows of p numbers (any norm), row i the embedding of input i.</param>
/// <param name="B">Representation B of the same N inputs in the same order: N rows of q numbers (q may differ from p).</param>
/// <param name="Input">Image form: items as in <c>/v1/embeddings</c>, embedded by both of <c>models</c>.</param>
/// <param name="Models">Image form: the two served models to compare, <c>name</c> or <c>name@version</c> each.</param>
/// <param name="K">Neighbours per input for the mutual k-NN overlap (default 10, capped at N − 1).</param>
/// <param name="RbfThreshold">θ of the RBF kernel exp(−‖x − y‖² / (2θ²·median squared distance)) (default 1).</param>
/// <param name="Seed">Seed of the row sample RBF CKA uses above its cap (default 0).</param>
public sealed record CompareRequest(
    JsonElement A,
    JsonElement B,
    JsonElement Input,
    IReadOnlyList<string>? Models = null,
    int? K = null,
    double? RbfThreshold = null,
    int? Seed = null);

/// <summary>
/// <c>POST /v1/compare</c>: Core's <see cref="RepresentationComparison"/> (linear CKA biased and unbiased, RBF CKA, mutual
/// k-NN overlap) on two submitted representations of the same inputs, or on the embeddings of the same images by two
/// served models: exactly <c>hypersphere compare</c>'s JSON.
/// </summary>
public static class CompareApi
{
    // A request's cost stays near a second on two cores: RBF CKA's two N×N matrices (2 × 2048² doubles, 64 MiB) and the
    // overlap's N²·(p + q) pass beyond these row counts run on seeded samples, which the warnings name.
    private const int ServiceRbfRows = 2048, ServiceKnnRows = 10_000;

    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapCompare(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/compare").WithTags("Quality").Admitted();
        group.MapPost(string.Empty, CompareAsync)
            .WithName("CompareRepresentations")
            .WithSummary("CKA (linear biased and unbiased, RBF) and mutual k-NN overlap of two representations of the same inputs")
            .WithDescription(
                "Send {a, b} (two arrays of rows, row i of each the same input; the widths may differ) or {input, models: [m1, m2]} with images that " +
                "both served models embed. The answer is hypersphere compare's JSON. Errors are problem documents.")
            .Accepts<CompareRequest>("application/json")
            .Produces<ComparisonReport>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<IResult> CompareAsync(
        HttpRequest http,
        IEmbeddingRuntime runtime,
        IOptions<HypersphereOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        RequestBodies.RequireJson(http);
        var request = await RequestBodies.ReadJsonAsync<CompareRequest>(http, json.Value.SerializerOptions, limits.MaxBodyBytes, cancellationToken);
        var (a, b, notes) = await RepresentationsAsync(request, runtime, limits, cancellationToken);
        var defaults = new ComparisonOptions();
        var report = RepresentationComparison.Compare(
            a, b, new ComparisonOptions(request.K ?? defaults.K, request.RbfThreshold ?? defaults.RbfThreshold, ServiceRbfRows, request.Seed ?? defaults.Seed, ServiceKnnRows));
        return TypedResults.Json(report with { Warnings = [.. notes, .. report.Warnings] }, SnakeCaseJson.Indented);
    }

    private static async Task<(MatrixData A, MatrixData B, List<string> Notes)> RepresentationsAsync(
        CompareRequest request, IEmbeddingRuntime runtime, HypersphereOptions limits, CancellationToken cancellationToken)
    {
        if (!QualityInputs.Given(request.Input))
        {
            if (!QualityInputs.Given(request.A) || !QualityInputs.Given(request.B))
            {
                throw HypersphereException.Bad("a and b are required: two arrays of rows, row i of each the same input; or send input (images) and models (two served models) to compare them");
            }

            if (request.Models is not null)
            {
                throw HypersphereException.Bad("models applies only to the image form (input); with a and b, leave it out");
            }

            return (QualityInputs.Values(request.A, "a", limits.MaxQualityValues), QualityInputs.Values(request.B, "b", limits.MaxQualityValues), []);
        }

        if (QualityInputs.Given(request.A) || QualityInputs.Given(request.B))
        {
            throw HypersphereException.Bad("give either a and b (numbers) or input (images for two models to embed), not both");
        }

        if (request.Models is not { Count: 2 } models || models.Any(string.IsNullOrEmpty))
        {
            throw HypersphereException.Invalid(
                $"models must name two served models (name or name@version) to embed input with, but had {request.Models?.Count ?? 0}");
        }

        var first = await runtime.EmbedAsync(models[0], [new JsonItemsSource(request.Input, "input")], cancellationToken);
        var second = await runtime.EmbedAsync(models[1], [new JsonItemsSource(request.Input, "input")], cancellationToken);
        return (Rows(first), Rows(second), [$"a: embeddings by model {first.Model} on {first.Provider}", $"b: embeddings by model {second.Model} on {second.Provider}"]);
    }

    private static MatrixData Rows(EmbeddingResult result)
    {
        var set = result.Sets[0];
        return new MatrixData(Array.ConvertAll(set.Values, v => (double)v), set.Count, result.Dim);
    }

}
