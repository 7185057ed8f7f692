using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hypersphere.Service.Api;

/// <summary>Liveness and readiness probes; open even when <c>/v1</c> needs keys.</summary>
public static class HealthApi
{
    /// <summary>Maps <c>/healthz/live</c> and <c>/healthz/ready</c>.</summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/healthz").WithTags("Health");
        group.MapGet("/live", Live)
            .WithName("Live")
            .WithSummary("200 while the process is up and its device usable; 503 once a run said the GPU is gone for good (the pod should be restarted)")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("200 once a model is loaded and warmed up, with the provider each runs on; 503 before that and while shutting down")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static Results<Ok<Liveness>, ProblemHttpResult> Live(RunHealth health)
    {
        if (health.DeviceLost is { } reason)
        {
            return TypedResults.Problem(Problems.For(ErrorKind.NotReady, $"the device is gone for good, so this process cannot serve again and should be restarted: {reason}"));
        }

        return TypedResults.Ok(new Liveness("live"));
    }

    private static Results<Ok<Readiness>, ProblemHttpResult> Ready(ModelRegistry registry, RunHealth health, IHostApplicationLifetime lifetime)
    {
        var loaded = registry.Loaded.Select(m => new ReadyModel(m.Id, m.Provider.Name, m.Provider.FallbackReason)).ToArray();
        var failed = registry.Failures;
        var failing = health.Failing().Where(f => loaded.Any(m => m.Id.ToString() == f.Model)).ToArray();
        var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        if (registry.IsReady && !stopping && failing.Length == 0)
        {
            return TypedResults.Ok(new Readiness("ready", loaded, failed));
        }

        // While shutting down, a load balancer should stop sending work here even though the models still serve.
        var reason = stopping ? "the service is shutting down: it finishes the requests it has and takes no new ones"
            : failing.Length > 0 ? $"runs keep failing on the device ({health.Threshold} or more in a row, Hypersphere:RunFailureThreshold): {string.Join("; ", failing.Select(f => $"{f.Model}: {f.ConsecutiveFailures} in a row, the last: {f.LastError}"))}"
            : registry.NotServingReason();
        var problem = Problems.For(ErrorKind.NotReady, reason);
        problem.Extensions["models"] = loaded;
        problem.Extensions["failed"] = failed;
        problem.Extensions["failing"] = failing;
        return TypedResults.Problem(problem);
    }
}

/// <summary>The answer of <c>/healthz/live</c>.</summary>
/// <param name="Status">Always <c>live</c>.</param>
public sealed record Liveness(string Status);

/// <summary>The answer of <c>/healthz/ready</c> when ready.</summary>
/// <param name="Status">Always <c>ready</c>.</param>
/// <param name="Models">Loaded, warmed-up model versions and the execution provider each runs on.</param>
/// <param name="Failed">Versions that failed to load, and why; the others serve.</param>
public sealed record Readiness(
    string Status,
    IReadOnlyList<ReadyModel> Models,
    IReadOnlyList<ModelLoadFailure> Failed);

/// <summary>A loaded model version and where it runs.</summary>
/// <param name="Id"><c>name@version</c>.</param>
/// <param name="Provider">The ONNX Runtime execution provider in use.</param>
/// <param name="FallbackReason">Why the session fell back to the CPU, if it did.</param>
public sealed record ReadyModel(
    ModelId Id,
    string Provider,
    string? FallbackReason);
