using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Embeddings;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Quality;

/// <summary>
/// <c>POST /v1/quality</c>: Core's <see cref="QualityAnalyzer"/> on submitted embeddings, or on images that a
/// served model embeds first; the answer is exactly <c>hypersphere quality</c>'s JSON (<see cref="QualityJson"/>).
/// </summary>
public static class QualityApi
{
    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapQuality(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/quality").WithTags("Quality");
        group.MapPost(string.Empty, AnalyzeAsync)
            .WithName("AnalyzeQuality")
            .WithSummary("Alignment, uniformity, their references, RankMe, k-NN accuracy and a collapse verdict")
            .WithDescription("Send either {embeddings, positives?, labels?} or {model?, input, positives?, labels?} with images. Rows must be unit norm unless normalize is true.")
            .Produces<QualityReport>(StatusCodes.Status200OK)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<JsonHttpResult<QualityReport>> AnalyzeAsync(
        QualityRequest request,
        ModelRegistry models,
        IEmbeddingService embedder,
        IOptions<HypersphereOptions> options,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
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

            var model = await models.ResolveAsync(request.Model, cancellationToken);
            x = await EmbedAsync(model, request.Input, "input", embedder, limits, normalize, cancellationToken);
            if (Given(request.Positives))
            {
                y = await EmbedAsync(model, request.Positives, "positives", embedder, limits, normalize, cancellationToken);
            }

            warnings.Add($"embeddings computed by model {model.Id} on {model.Provider.Name}");
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

    private static async Task<EmbeddingMatrix> EmbedAsync(
        LoadedModel model, JsonElement input, string field, IEmbeddingService embedder, HypersphereOptions limits, bool normalize, CancellationToken cancellationToken)
    {
        var items = InputItems.Read(input, model, limits.MaxItemsPerRequest, field);
        var values = await embedder.EmbedAsync(model, items.Pixels, items.Count, cancellationToken);
        return EmbeddingMatrix.Create(values, items.Count, model.Card.EmbeddingDim, normalize, $"embeddings of {field}");
    }

    private static bool Given(JsonElement value) => value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
}
