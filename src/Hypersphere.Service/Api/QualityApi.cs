using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Api;

/// <summary>
/// <c>POST /v1/quality</c>: Core's <see cref="QualityAnalyzer"/> on submitted embeddings, or on images that a
/// served model embeds first; the answer is exactly <c>hypersphere quality</c>'s JSON (<see cref="QualityJson"/>).
/// </summary>
public static class QualityApi
{
    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapQuality(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/quality").WithTags("Quality").Admitted();
        group.MapPost(string.Empty, AnalyzeAsync)
            .WithName("AnalyzeQuality")
            .WithSummary("Alignment, uniformity, their references, RankMe, k-NN accuracy and a collapse verdict")
            .WithDescription("Send either {embeddings, positives?, labels?} or {model?, input, positives?, labels?} with images. Rows must be unit norm unless normalize is true.")
            .Accepts<QualityRequest>("application/json")
            .Produces<QualityReport>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<JsonHttpResult<QualityReport>> AnalyzeAsync(
        HttpRequest http,
        IEmbeddingRuntime runtime,
        IOptions<HypersphereOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        RequestBodies.RequireJson(http);
        var request = await RequestBodies.ReadJsonAsync<QualityRequest>(http, json.Value.SerializerOptions, limits.MaxBodyBytes, cancellationToken);
        var normalize = request.Normalize ?? false;
        var analysis = new QualityOptions(request.Alpha ?? Alignment.DefaultAlpha, request.T ?? Uniformity.DefaultT);
        List<string> warnings = normalize ? ["rows were L2-normalised before measuring, as normalize: true asked"] : [];

        EmbeddingMatrix x;
        EmbeddingMatrix? y = null;
        if (Given(request.Input))
        {
            if (Given(request.Embeddings))
            {
                throw HypersphereException.Bad("give either embeddings (numbers) or input (images for a model to embed), not both");
            }

            EmbeddingSource[] sources = Given(request.Positives)
                ? [new JsonItemsSource(request.Input, "input"), new JsonItemsSource(request.Positives, "positives")]
                : [new JsonItemsSource(request.Input, "input")];
            var result = await runtime.EmbedAsync(request.Model, sources, cancellationToken);
            x = Matrix(result, 0, "input", normalize);
            if (sources.Length > 1)
            {
                y = Matrix(result, 1, "positives", normalize);
            }

            warnings.Add($"embeddings computed by model {result.Model} on {result.Provider}");
        }
        else
        {
            if (!Given(request.Embeddings))
            {
                throw HypersphereException.Bad("embeddings is required: N rows of d numbers; or send input (images) and optionally model to have a served model embed them");
            }

            if (request.Model is not null)
            {
                throw HypersphereException.Bad("model applies only to the image form (input); with embeddings, leave it out");
            }

            x = QualityInputs.Matrix(request.Embeddings, "embeddings", limits.MaxQualityValues, normalize);
            if (Given(request.Positives))
            {
                y = QualityInputs.Matrix(request.Positives, "positives", limits.MaxQualityValues, normalize);
            }
        }

        var labels = Given(request.Labels) ? QualityInputs.Labels(request.Labels, x.Rows) : null;
        var report = QualityAnalyzer.Analyze(x, y, labels, analysis, warnings);
        return TypedResults.Json(report, QualityJson.Options);
    }

    private static EmbeddingMatrix Matrix(EmbeddingResult result, int set, string field, bool normalize) =>
        EmbeddingMatrix.Create(result.Sets[set].Values, result.Sets[set].Count, result.Dim, normalize, $"embeddings of {field}");

    private static bool Given(JsonElement value) => value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
}
