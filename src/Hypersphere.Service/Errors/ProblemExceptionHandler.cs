using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Hypersphere.Service.Errors;

/// <summary>
/// Turns every exception that leaves an endpoint into a problem document. Expected failures
/// (<see cref="HypersphereException"/>) keep their kind; the framework's request errors (a body over the size
/// limit, a body arriving too slowly, a malformed request) are classified by their status code; anything else
/// is a 500 whose detail names only the trace id: stack traces go to the log, never to the client. Refusals are
/// logged at most once a second per status (<see cref="LogThrottle"/>), with the count held back; server faults
/// every time. A run that failed on the device (<see cref="InferenceFailureException"/>) is not logged here: the
/// batcher logged it where it happened, with ONNX Runtime's own text, once per batch rather than per request. Statuses without an exception (unknown route 404, wrong method 405) get their detail in
/// <see cref="ProblemsSetup"/>.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    private readonly LogThrottle _throttle = new(TimeSpan.FromSeconds(1));

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true; // the client left; there is nobody to answer
        }

        var failure = Classify(exception);
        var problem = failure is null ? Unexpected(httpContext, exception) : Problems.For(failure);
        var status = problem.Status!.Value;
        if (failure is null)
        {
            LogServerFault(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Detail, exception);
        }
        else if (failure is not InferenceFailureException && _throttle.TryEnter(status, out var suppressed))
        {
            LogRefused(logger, status >= 500 ? LogLevel.Warning : LogLevel.Information, httpContext.Request.Method, httpContext.Request.Path, status, problem.Detail, suppressed);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The expected failure an exception stands for, or null for a fault of the server.</summary>
    public static HypersphereException? Classify(Exception exception) => exception switch
    {
        HypersphereException known => known,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new HypersphereException(ErrorKind.TooLarge, "the request body is larger than the service accepts (Hypersphere:MaxBodyBytes)", exception),
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            ProtocolException.RequestTimeout("the request body arrived too slowly: the service reads a body at 240 bytes/s or faster after the first 5 seconds; send it whole", exception),
        BadHttpRequestException { InnerException: JsonException json } => HypersphereException.Bad(JsonErrorText.Describe(json)),
        BadHttpRequestException bad => HypersphereException.Bad($"the request is malformed: {bad.Message.TrimEnd('.')}"),
        _ => null,
    };

    private static ProblemDetails Unexpected(HttpContext context, Exception exception) => Problems.Create(
        StatusCodes.Status500InternalServerError,
        "Internal error",
        "internal",
        $"the service failed unexpectedly ({exception.GetType().Name}); its log has the details under trace id {context.TraceIdentifier}");

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed: {Detail}")]
    private static partial void LogServerFault(ILogger logger, string method, string path, string? detail, Exception exception);

    [LoggerMessage(Message = "{Method} {Path} answered {Status}: {Detail} ({Suppressed} more answers of this status since the last entry were not logged)")]
    private static partial void LogRefused(ILogger logger, LogLevel level, string method, string path, int status, string? detail, long suppressed);
}
