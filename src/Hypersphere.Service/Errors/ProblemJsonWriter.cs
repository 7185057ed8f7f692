using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Errors;

/// <summary>
/// Writes every problem document as <c>application/problem+json</c>, whatever the request's Accept header says.
/// The framework's own writer declines when Accept names neither JSON nor problem+json (a client of the .npy
/// fast path sends <c>Accept: application/x-npy</c>), which left error answers without a body; an error is
/// worth more to that client than strict content negotiation. A problem with <c>retry_after</c> also gets its
/// <c>Retry-After</c> header here, the one place every problem passes. Registered before the framework's writer.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public const string MediaType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        // Whoever refused (the exception handler, the rate limiter), an overloaded answer says when to come back.
        if (problem.Extensions.TryGetValue(Problems.RetryAfter, out var seconds) && seconds is int wait)
        {
            http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        http.Response.ContentType = MediaType;
        // Not the request's token: when the request timed out, that token is the one that fired, and the
        // answer saying so must still be written (a few hundred bytes).
        await JsonSerializer.SerializeAsync(http.Response.Body, problem, problem.GetType(), jsonOptions.Value.SerializerOptions, CancellationToken.None);
    }
}
