using System.Threading.RateLimiting;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Runtime.Batching;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Hosting;

/// <summary>
/// Admission of model work, with the framework's own parts. A request to a route marked <see cref="Admitted"/> takes a
/// permit from ASP.NET Core's rate limiter as it enters, after authentication and before its body is read or an
/// image decoded: at most <see cref="HypersphereOptions.MaxConcurrentRequests"/> in the service, another
/// <see cref="HypersphereOptions.MaxWaitingRequests"/> waiting for one, and at most
/// <see cref="HypersphereOptions.MaxConcurrentRequestsPerKey"/> per bearer key (partitioned by key). One more is
/// answered 429 at once with Retry-After, at the cost of a few hundred bytes and no log line per request. The
/// request timeouts middleware bounds the whole request, body and decoding included
/// (<see cref="HypersphereOptions.RequestTimeoutMs"/>, 503).
/// </summary>
public static partial class AdmissionSetup
{
    /// <summary>The rate limiting and request timeout policy of model routes.</summary>
    public const string Policy = "model-work";

    private static readonly LogThrottle Throttle = new(TimeSpan.FromSeconds(1));

    /// <summary>Adds the rate limiter and the request timeouts.</summary>
    public static IServiceCollection AddAdmission(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsAdmitted(context)
                ? RateLimitPartition.GetConcurrencyLimiter("all", _ => Limits(Settings(context).MaxConcurrentRequests, Settings(context).MaxWaitingRequests))
                : RateLimitPartition.GetNoLimiter("open"));
            limiter.AddPolicy(Policy, context => Settings(context).MaxConcurrentRequestsPerKey is var perKey and > 0
                ? RateLimitPartition.GetConcurrencyLimiter(context.User.Identity?.Name ?? Security.BearerKeyHandler.Anonymous, _ => Limits(perKey, 0))
                : RateLimitPartition.GetNoLimiter(Security.BearerKeyHandler.Anonymous));
            limiter.OnRejected = RejectAsync;
        });
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HypersphereOptions>>((timeouts, options) =>
            timeouts.AddPolicy(Policy, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromMilliseconds(options.Value.RequestTimeoutMs),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = TimedOutAsync,
            }));
        return services;
    }

    /// <summary>Model work on <paramref name="group"/>'s routes is admitted and timed.</summary>
    public static RouteGroupBuilder Admitted(this RouteGroupBuilder group)
    {
        group.RequireRateLimiting(Policy).WithRequestTimeout(Policy);
        return group;
    }

    /// <summary>
    /// The timeouts, then the limiter, after authorization (so a caller without a key takes no permit); the timeout
    /// comes first so that it bounds a request's wait for a permit too.
    /// </summary>
    public static IApplicationBuilder UseAdmission(this IApplicationBuilder app) => app.UseRequestTimeouts().UseRateLimiter();

    private static HypersphereOptions Settings(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<HypersphereOptions>>().Value;

    private static bool IsAdmitted(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Policy;

    private static ConcurrencyLimiterOptions Limits(int permits, int waiting) =>
        new() { PermitLimit = permits, QueueLimit = waiting, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var services = context.RequestServices;
        var settings = Settings(context);
        services.GetRequiredService<ServiceMetrics>().Rejected.WithLabels("concurrency").Inc();
        var seconds = services.GetRequiredService<BatchScheduler>().SecondsToDrain();
        var perKey = settings.MaxConcurrentRequestsPerKey > 0 ? $", or {settings.MaxConcurrentRequestsPerKey} for this key (Hypersphere:MaxConcurrentRequestsPerKey)" : string.Empty;
        var detail = $"the service is already embedding {settings.MaxConcurrentRequests} requests (Hypersphere:MaxConcurrentRequests) with {settings.MaxWaitingRequests} more waiting (Hypersphere:MaxWaitingRequests){perKey}; retry after the Retry-After seconds";
        if (Throttle.TryEnter(StatusCodes.Status429TooManyRequests, out var suppressed))
        {
            LogRejected(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdmissionSetup)), context.Request.Path, suppressed);
        }

        if (settings.RefusalDelayMs > 0)
        {
            // A timer, not a permit: a client that retries at once, whatever Retry-After says, now retries at most
            // this often per connection, instead of turning refusals into most of what the cores do.
            await Task.Delay(settings.RefusalDelayMs, cancellationToken);
        }

        await services.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Problems.For(new OverloadedException(detail, seconds)),
        });
    }

    private static async Task TimedOutAsync(HttpContext context)
    {
        var services = context.RequestServices;
        services.GetRequiredService<ServiceMetrics>().TimedOut.Inc();
        var detail = $"the request did not finish within {Settings(context).RequestTimeoutMs} ms (Hypersphere:RequestTimeoutMs): the service is too busy now; retry later or send fewer images";
        await services.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Problems.For(ErrorKind.NotReady, detail),
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Overloaded: refused a request to {Path} with 429 ({Suppressed} more refusals since the last entry were not logged)")]
    private static partial void LogRejected(ILogger logger, string path, long suppressed);
}
