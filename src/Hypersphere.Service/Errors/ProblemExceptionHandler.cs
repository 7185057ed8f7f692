using System.Text.Json;
using Hypersphere.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Hypersphere.Service.Errors;

/// <summary>
/// Turns every exception that leaves an endpoint into a problem document. Expected failures
/// (<see cref="HypersphereException"/>) keep their kind; the framework's request errors (unparsable JSON,
/// wrong JSON types, a missing body, a body over a server limit) become
/// <see cref="ErrorKind.BadRequest"/> or <see cref="ErrorKind.TooLarge"/> with a detail that says what and where;
/// anything else is a 500 whose detail names only the trace id: stack traces go to the log, never to the client.
/// Statuses without an exception (unknown route 404, wrong method 405, a non-JSON body 415, which routing itself
/// answers) get their detail in <see cref="ProblemsSetup"/>.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true; // the client left; there is nobody to answer
        }

        var failure = Classify(exception);
        var problem = failure is null ? Unexpected(httpContext, exception) : Problems.For(failure);
        if (failure is null)
        {
            LogServerFault(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Detail, exception);
        }
        else
        {
            LogRefused(logger, problem.Status >= 500 ? LogLevel.Warning : LogLevel.Information, httpContext.Request.Method, httpContext.Request.Path, problem.Status, problem.Detail);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        WriteHeaders(httpContext, problem);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The expected failure an exception stands for, or null for a fault of the server.</summary>
    public static HypersphereException? Classify(Exception exception) => exception switch
    {
        HypersphereException known => known,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new HypersphereException(ErrorKind.TooLarge, "the request body is larger than the service accepts (Hypersphere:MaxBodyBytes)", exception),
        BadHttpRequestException { InnerException: JsonException json } => HypersphereException.Bad(JsonErrorText.Describe(json)),
        BadHttpRequestException bad when bad.Message.Contains("not provided from body", StringComparison.Ordinal) || bad.Message.Contains("no body was provided", StringComparison.Ordinal) =>
            HypersphereException.Bad("the body must be a JSON object, but it was empty or null"),
        BadHttpRequestException bad => HypersphereException.Bad(bad.Message),
        _ => null,
    };

    /// <summary>
    /// The headers some statuses need: 429 says when to come back (<c>Retry-After</c>, seconds), 401 how to
    /// authenticate (RFC 6750: <c>error="invalid_token"</c> only when a credential was sent).
    /// </summary>
    private static void WriteHeaders(HttpContext context, ProblemDetails problem)
    {
        var headers = context.Response.Headers;
        if (problem.Extensions.TryGetValue(Problems.RetryAfter, out var seconds) && seconds is int wait)
        {
            headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (problem.Status == StatusCodes.Status401Unauthorized)
        {
            headers.WWWAuthenticate = context.Request.Headers.Authorization.Count > 0
                ? "Bearer realm=\"hypersphere\", error=\"invalid_token\""
                : "Bearer realm=\"hypersphere\"";
        }
    }

    private static ProblemDetails Unexpected(HttpContext context, Exception exception) => new()
    {
        Status = StatusCodes.Status500InternalServerError,
        Title = "Internal error",
        Detail = $"the service failed unexpectedly ({exception.GetType().Name}); its log has the details under trace id {context.TraceIdentifier}",
        Extensions = { ["error"] = "internal" },
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed: {Detail}")]
    private static partial void LogServerFault(ILogger logger, string method, string path, string? detail, Exception exception);

    [LoggerMessage(Message = "{Method} {Path} answered {Status}: {Detail}")]
    private static partial void LogRefused(ILogger logger, LogLevel level, string method, string path, int? status, string? detail);
}
