using Hypersphere.Core.Quality;
using Hypersphere.Inference;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Monitoring;
using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Api;

/// <summary>
/// <c>GET /v1/models/{model}/quality</c>: the last report on the window of embeddings a model version served
/// recently (<see cref="LiveQualityMonitor"/>), exactly <c>POST /v1/quality</c>'s report of those rows, with the
/// window's size and times and the card's held-out scores to compare with.
/// </summary>
public static class LiveQualityApi
{
    /// <summary>The <c>code</c> of the 409 answered while a window has no report yet.</summary>
    public const string Collecting = "collecting";

    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapLiveQuality(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/models").WithTags("Models");
        group.MapGet("/{model}/quality", Get)
            .WithName("LiveQuality")
            .WithSummary("Live quality: the quality report of the embeddings a model version served recently, and its drift from the card")
            .WithDescription(
                "model is name@version, or name for its serving version. The service keeps a window of the embeddings each loaded version served " +
                "(Hypersphere:LiveQualityWindow rows, a fraction Hypersphere:LiveQualitySampleFraction of them) and computes POST /v1/quality's report " +
                "on it every Hypersphere:LiveQualityIntervalSeconds in the background. 404 for an unknown model; 409 (code collecting) until the window " +
                "holds 2 rows and its first report is computed, or while live quality is off.")
            .Produces<LiveQuality>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static Results<Ok<LiveQuality>, ProblemHttpResult> Get(string model, ModelRegistry registry, LiveQualityMonitor monitor, IOptions<HypersphereOptions> options)
    {
        var settings = options.Value;
        var id = registry.Identify(model);
        if (!monitor.Enabled)
        {
            return Collecting409($"live quality is off on this server (Hypersphere:LiveQualityWindow is 0), so model {id} has no live report");
        }

        if (monitor.WindowOf(id) is not var (window, loaded))
        {
            return Collecting409($"model {id} has served no embeddings since it was loaded, so its live window is empty; its report comes within {settings.LiveQualityIntervalSeconds} s of the first 2 rows served");
        }

        if (window.Report is not { } report)
        {
            return Collecting409($"the live window of model {id} holds {window.Count} rows; its first report needs at least 2 and comes within {settings.LiveQualityIntervalSeconds} s of them");
        }

        return TypedResults.Ok(new LiveQuality(
            id,
            report.Quality.N,
            window.Capacity,
            settings.LiveQualitySampleFraction,
            window.Dropped,
            window.Started,
            report.Computed,
            LiveQualityMonitor.Drift(loaded, report.Quality),
            loaded.Card.Evaluation,
            monitor.AlignmentOf(loaded),
            report.Quality));
    }

    private static ProblemHttpResult Collecting409(string detail) =>
        TypedResults.Problem(Problems.Create(StatusCodes.Status409Conflict, "The live window has no report yet", Collecting, detail));
}

/// <summary>The answer of <c>GET /v1/models/{model}/quality</c>.</summary>
/// <param name="Model">The version, <c>name@version</c>.</param>
/// <param name="WindowSize">Rows the report was computed on (the window held at most <c>window_capacity</c>).</param>
/// <param name="WindowCapacity">Most rows the window holds (Hypersphere:LiveQualityWindow); the newest overwrite the oldest.</param>
/// <param name="SampleFraction">Fraction of served rows offered to the window (Hypersphere:LiveQualitySampleFraction).</param>
/// <param name="DroppedOffers">Offers of served rows dropped whole since sampling started because the window was busy (being copied for a report, or taking another request's rows): the path that serves embeddings never waits for it.</param>
/// <param name="SamplingStarted">When the window began sampling: when this load of the version first served.</param>
/// <param name="ComputedAt">When the report was computed.</param>
/// <param name="UniformityDrift">report.uniformity − card.uniformity (both t = 2): above 0, the served embeddings are less uniform than the held-out set was; null without card scores.</param>
/// <param name="Card">The card's held-out scores (<c>evaluation</c> of <c>model.json</c>), the reference for the live numbers; null if the card has none.</param>
/// <param name="LiveAlignment">
/// Alignment (α = 2) of the model on the traffic: the mean ‖f(x) − f(y)‖² over pairs of augmented views (the training recipe) of a sample
/// of the served images (Hypersphere:LiveAlignmentSampleFraction), with the number of pairs; compare with <c>card.alignment</c>. Null until the
/// first pairs are embedded, or when it is off.
/// </param>
/// <param name="Report">Exactly <c>POST /v1/quality</c>'s report of the window's rows (α = 2, t = 2; no positives or labels).</param>
public sealed record LiveQuality(
    ModelId Model,
    int WindowSize,
    int WindowCapacity,
    double SampleFraction,
    long DroppedOffers,
    DateTimeOffset SamplingStarted,
    DateTimeOffset ComputedAt,
    double? UniformityDrift,
    EvaluationSpec? Card,
    LiveAlignment? LiveAlignment,
    QualityReport Report);
