using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;
using Hypersphere.Reports;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Api;

/// <summary>
/// <c>POST /v1/quality</c>: Core's <see cref="QualityAnalyzer"/> on submitted embeddings (JSON, or a
/// <c>multipart/form-data</c> form of .npy files, <see cref="QualityForm"/>), or on images that a served model embeds
/// first; the answer is exactly <c>hypersphere quality</c>'s JSON (<see cref="QualityJson"/>), or, with
/// <c>Accept: text/html</c>, Reports' HTML report of the same numbers (<see cref="AuditReport"/>).
/// </summary>
public static class QualityApi
{
    /// <summary>The media type of the HTML report.</summary>
    public const string HtmlMediaType = "text/html";

    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapQuality(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/quality").WithTags("Quality").Admitted();
        group.MapPost(string.Empty, AnalyzeAsync)
            .WithName("AnalyzeQuality")
            .WithSummary("Alignment, uniformity, their references, RankMe, k-NN accuracy and a collapse verdict")
            .WithDescription(
                "Send either {embeddings, positives?, labels?} or {model?, input, positives?, labels?} with images as JSON, or a multipart/form-data form " +
                "with the parts embeddings (a 2-D float32/float64 .npy), positives (optional, the same), labels (optional: a .npy of integers or text with one label a line) " +
                "and the fields alpha, t, normalize, sample_pairs, error, seed, exact. Rows must be unit norm unless normalize is true. " +
                "The answer is JSON by default; with Accept: text/html it is the HTML report of the same numbers with its figures (inline SVG, no script). " +
                "Errors are problem documents whatever the Accept header.")
            .Accepts<QualityRequest>("application/json", QualityForm.MediaType)
            .Produces<QualityReport>(StatusCodes.Status200OK, "application/json", HtmlMediaType)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<IResult> AnalyzeAsync(
        HttpRequest http,
        IEmbeddingRuntime runtime,
        IOptions<HypersphereOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        AuditRequest audit;
        if (QualityForm.IsForm(http))
        {
            audit = await QualityForm.ReadAsync(http, limits.MaxBodyBytes, limits.MaxQualityValues, cancellationToken);
        }
        else
        {
            RequestBodies.RequireJson(http);
            var request = await RequestBodies.ReadJsonAsync<QualityRequest>(http, json.Value.SerializerOptions, limits.MaxBodyBytes, cancellationToken);
            audit = await FromJsonAsync(request, runtime, limits, cancellationToken);
        }

        var sampling = new SamplingOptions(
            audit.Sampling.Pairs, audit.Sampling.Error, audit.Sampling.Seed ?? 0, audit.Sampling.Exact, limits.QualityExactMaxPairs, limits.QualityExactMaxPairs, limits.QualityMaxSampledPairs);
        var analysis = new QualityOptions(audit.Alpha ?? Alignment.DefaultAlpha, audit.T ?? Uniformity.DefaultT, Sampling: sampling);
        List<string> warnings = audit.Normalize ? ["rows were L2-normalised before measuring, as normalize: true asked"] : [];
        warnings.AddRange(audit.Notes);
        // The answer's type follows the Accept header: caches must key on it.
        http.HttpContext.Response.Headers.Vary = "Accept";
        if (!ReportNegotiation.WantsHtml(http))
        {
            var labels = audit.Labels is null ? null : LabelSet.ToIds(audit.Labels);
            return TypedResults.Json(QualityAnalyzer.Analyze(audit.Embeddings, audit.Positives, labels, analysis, warnings), QualityJson.Options);
        }

        // The same analysis, with the figures that need none of its numbers drawn beside it.
        var document = AuditReport.Analyze(audit.Embeddings, audit.Positives, audit.Labels, analysis, warnings, "Embedding audit", audit.Sources);
        http.HttpContext.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ReportPolicy;
        return TypedResults.Text(document.Html, "text/html; charset=utf-8");
    }

    private static async Task<AuditRequest> FromJsonAsync(QualityRequest request, IEmbeddingRuntime runtime, HypersphereOptions limits, CancellationToken cancellationToken)
    {
        var normalize = request.Normalize ?? false;
        EmbeddingMatrix x;
        EmbeddingMatrix? y = null;
        List<string> notes = [];
        string[] sources;
        if (QualityInputs.Given(request.Input))
        {
            if (QualityInputs.Given(request.Embeddings))
            {
                throw HypersphereException.Bad("give either embeddings (numbers) or input (images for a model to embed), not both");
            }

            EmbeddingSource[] inputs = QualityInputs.Given(request.Positives)
                ? [new JsonItemsSource(request.Input, "input"), new JsonItemsSource(request.Positives, "positives")]
                : [new JsonItemsSource(request.Input, "input")];
            var result = await runtime.EmbedAsync(request.Model, inputs, cancellationToken);
            x = Matrix(result, 0, "input", normalize);
            if (inputs.Length > 1)
            {
                y = Matrix(result, 1, "positives", normalize);
            }

            notes.Add($"embeddings computed by model {result.Model} on {result.Provider}");
            sources = [$"images embedded by model {result.Model}"];
        }
        else
        {
            if (!QualityInputs.Given(request.Embeddings))
            {
                throw HypersphereException.Bad("embeddings is required: N rows of d numbers; or send input (images) and optionally model to have a served model embed them");
            }

            if (request.Model is not null)
            {
                throw HypersphereException.Bad("model applies only to the image form (input); with embeddings, leave it out");
            }

            x = QualityInputs.Matrix(request.Embeddings, "embeddings", limits.MaxQualityValues, normalize);
            if (QualityInputs.Given(request.Positives))
            {
                y = QualityInputs.Matrix(request.Positives, "positives", limits.MaxQualityValues, normalize);
            }

            sources = [];
        }

        var labels = QualityInputs.Given(request.Labels) ? QualityInputs.Labels(request.Labels, x.Rows) : null;
        return new AuditRequest(x, y, labels, request.Alpha, request.T, normalize, notes, sources, new SamplingRequest(request.SamplePairs, request.Error, request.Seed, request.Exact ?? false));
    }

    private static EmbeddingMatrix Matrix(EmbeddingResult result, int set, string field, bool normalize) =>
        EmbeddingMatrix.Create(result.Sets[set].Values, result.Sets[set].Count, result.Dim, normalize, $"embeddings of {field}");

}
