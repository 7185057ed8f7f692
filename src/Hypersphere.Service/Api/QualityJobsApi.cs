using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Jobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Api;

/// <summary>The state of a quality job (<c>GET /v1/quality/jobs/{id}</c>).</summary>
/// <param name="Id">The job's id.</param>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>done</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Progress">Fraction done of the exact uniformity pass while running (1 when done).</param>
/// <param name="Created">When it was accepted.</param>
/// <param name="Started">When its last attempt started.</param>
/// <param name="Finished">When it ended.</param>
/// <param name="Attempts">Attempts started: more than 1 when the service stopped mid-job and ran it again.</param>
/// <param name="Rows">Rows submitted.</param>
/// <param name="Dim">Their dimension.</param>
/// <param name="Error">Why it failed or how it was cancelled.</param>
/// <param name="Result">When done: exactly <c>POST /v1/quality</c>'s report of the embeddings.</param>
public sealed record QualityJobAnswer(
    string Id, string State, double Progress, DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, int Attempts, int Rows, int Dim, string? Error, JsonElement? Result);

/// <summary>
/// Audits too large for one request: <c>POST /v1/quality/jobs</c> streams a <c>.npy</c> body to disk (never held in
/// memory; up to <see cref="HypersphereOptions.MaxQualityJobBytes"/>) and answers 202 with <c>Location</c>; <c>GET</c>
/// gives the state, progress and, when done, the report; <c>DELETE</c> cancels an unfinished job or removes a finished one.
/// Jobs live in a folder (<see cref="QualityJobStore"/>) and survive restarts.
/// </summary>
public static class QualityJobsApi
{
    /// <summary>Maps the routes under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapQualityJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/quality/jobs").WithTags("Quality");
        group.MapPost(string.Empty, SubmitAsync)
            .WithName("SubmitQualityJob")
            .WithSummary("Start a quality audit of a large .npy of embeddings in the background")
            .WithDescription(
                "The body is a 2-D float32 or float64 .npy (application/x-npy), streamed to disk. Query: t, normalize, sample_pairs, error, seed, exact " +
                "(as for POST /v1/quality; without them large inputs are sampled above Hypersphere:QualityExactMaxPairs like there). 202 with Location; " +
                "429 with Retry-After when Hypersphere:MaxQueuedQualityJobs jobs wait.")
            .Accepts<byte[]>("application/x-npy")
            .Produces<QualityJobAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        group.MapGet("/{id}", Get)
            .WithName("GetQualityJob")
            .WithSummary("A quality job's state, progress and, when done, its report")
            .Produces<QualityJobAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Delete)
            .WithName("DeleteQualityJob")
            .WithSummary("Cancel an unfinished quality job (202), or remove a finished one (204)")
            .Produces<QualityJobAnswer>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> SubmitAsync(
        HttpRequest http, QualityJobStore store, QualityJobRunner runner, IOptions<HypersphereOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!RequestBodies.IsNpy(http, npyAllowed: true))
        {
            throw ProtocolException.UnsupportedMediaType($"a quality job's body is a .npy file: Content-Type: {RequestBodies.NpyMediaType}");
        }

        var waiting = store.All().Count(j => !j.Ended);
        if (waiting >= limits.MaxQueuedQualityJobs)
        {
            throw new OverloadedException($"{waiting} quality jobs are queued or running, the most this server takes (Hypersphere:MaxQueuedQualityJobs); try again later", 30);
        }

        var settings = Settings(http.Query);
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limits.MaxQualityJobBytes;
        }

        if (http.ContentLength > limits.MaxQualityJobBytes)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"the body is {http.ContentLength} bytes, but a quality job takes at most {limits.MaxQualityJobBytes} (Hypersphere:MaxQualityJobBytes)");
        }

        var (id, folder) = store.Create();
        try
        {
            var path = store.EmbeddingsPath(id);
            var part = path + ".part";
            await using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await http.Body.CopyToAsync(file, cancellationToken);
            }

            File.Move(part, path);
            int rows, dim;
            using (var mapped = MappedEmbeddings.TryOpen(path, settings.Normalize, "embeddings", cancellationToken)
                ?? throw HypersphereException.Bad("the body must be a C-order 2-D float32 or float64 .npy (little-endian)"))
            {
                (rows, dim) = (mapped.Rows, mapped.Dim);
            }

            var job = new QualityJobRecord(id, QualityJobStore.Queued, time.GetUtcNow(), null, null, 0, rows, dim, null, settings);
            store.Write(job);
            runner.Enqueue(id);
            http.HttpContext.Response.Headers.Location = $"/v1/quality/jobs/{id}";
            return TypedResults.Json(Answer(job, store), SnakeCaseJson.Indented, statusCode: StatusCodes.Status202Accepted);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<QualityJobAnswer> Get(string id, QualityJobStore store) =>
        store.Read(id) is { } job ? TypedResults.Json(Answer(job, store), SnakeCaseJson.Indented) : throw NotFound(id);

    private static IResult Delete(string id, QualityJobStore store, QualityJobRunner runner, TimeProvider time)
    {
        if (store.Read(id) is not { } job)
        {
            throw NotFound(id);
        }

        if (job.Ended)
        {
            store.Delete(id);
            return TypedResults.NoContent();
        }

        if (!runner.CancelRunning(id))
        {
            job = store.Update(id, j => j.Ended ? j : j with { State = QualityJobStore.Cancelled, Finished = time.GetUtcNow(), Error = "cancelled by DELETE before it ran" }) ?? job;
            store.DropEmbeddings(id);
        }

        return TypedResults.Json(Answer(store.Read(id) ?? job, store), SnakeCaseJson.Indented, statusCode: StatusCodes.Status202Accepted);
    }

    private static QualityJobAnswer Answer(QualityJobRecord job, QualityJobStore store) => new(
        job.Id, job.State, job.State == QualityJobStore.Done ? 1 : store.Progress(job.Id), job.Created, job.Started, job.Finished, job.Attempts, job.Rows, job.Dim,
        job.Error, job.State == QualityJobStore.Done ? store.ReadResult(job.Id) : null);

    private static QualityJobSettings Settings(IQueryCollection query)
    {
        var settings = new QualityJobSettings(
            One(query, "t") is { } t ? Number(t, "t") : Core.Metrics.Uniformity.DefaultT,
            One(query, "normalize") is { } normalize && Flag(normalize, "normalize"),
            One(query, "sample_pairs") is { } pairs ? Integer(pairs, "sample_pairs", 0, long.MaxValue) : null,
            One(query, "error") is { } error ? Number(error, "error") : null,
            One(query, "seed") is { } seed ? (int)Integer(seed, "seed", int.MinValue, int.MaxValue) : 0,
            One(query, "exact") is { } exact && Flag(exact, "exact"));
        Core.Metrics.Uniformity.CheckT(settings.T);
        new SamplingOptions(settings.SamplePairs, settings.Error, settings.Seed, settings.Exact).Validate();
        return settings;
    }

    /// <summary>The query parameter's one value, or null when it is absent; given twice is 400.</summary>
    private static string? One(IQueryCollection query, string name) => query.TryGetValue(name, out var values)
        ? values.Count == 1 ? values[0] ?? string.Empty : throw HypersphereException.Bad($"the query parameter '{name}' appears {values.Count} times, but may be given once")
        : null;

    private static double Number(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw HypersphereException.Invalid($"{name} must be a finite number, but was '{text}'");

    private static long Integer(string text, string name, long min, long max) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw HypersphereException.Invalid($"{name} must be an integer from {min} to {max}, but was '{text}'");

    private static bool Flag(string text, string name) => text switch
    {
        "true" => true,
        "false" => false,
        _ => throw HypersphereException.Invalid($"{name} must be true or false, but was '{text}'"),
    };

    private static HypersphereException NotFound(string id) =>
        new(ErrorKind.NotFound, QualityJobStore.IsId(id) ? $"there is no quality job '{id}' (finished jobs removed with DELETE are gone)" : "a quality job id is 32 hexadecimal digits");
}
