using Hypersphere.Core.Errors;
using Hypersphere.Inference;
using Microsoft.AspNetCore.Mvc;

namespace Hypersphere.Service.Errors;

/// <summary>
/// The one place where a failure becomes a problem document (RFC 9457, <c>application/problem+json</c>): the
/// status comes from Core's <see cref="ErrorKindMapping.HttpStatus"/> (or, for the few failures of HTTP itself,
/// from <see cref="ProtocolException"/>), the title from the kind, the detail says what was wrong and what was
/// expected, and <c>error</c> repeats it in OpenAI's shape (<see cref="ApiError"/>). An overloaded answer also
/// carries <c>retry_after</c> (seconds), which is sent as <c>Retry-After</c> too.
/// </summary>
public static class Problems
{
    /// <summary>The problem extension holding the seconds to wait before retrying.</summary>
    public const string RetryAfter = "retry_after";

    /// <summary>The <c>code</c> of a run that failed for the server's reasons (<see cref="InferenceFailureException"/>, 503).</summary>
    public const string InferenceFailed = "inference_failed";

    /// <summary>The problem extension holding the <see cref="ApiError"/>.</summary>
    public const string Error = "error";

    /// <summary>A problem document for <paramref name="kind"/> with <paramref name="detail"/>.</summary>
    public static ProblemDetails For(ErrorKind kind, string detail) => Create(ErrorKindMapping.HttpStatus(kind), Title(kind), Code(kind), detail);

    /// <summary>A problem document for an expected failure.</summary>
    public static ProblemDetails For(HypersphereException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var problem = exception switch
        {
            ProtocolException protocol => Create(protocol.Status, protocol.Title, protocol.Code, protocol.Message),
            InferenceFailureException => Create(ErrorKindMapping.HttpStatus(exception.Kind), "Inference failed on the server", InferenceFailed, exception.Message),
            _ => For(exception.Kind, exception.Message),
        };
        if (exception is OverloadedException overloaded)
        {
            problem.Extensions[RetryAfter] = overloaded.RetryAfterSeconds;
        }
        else if (exception is InferenceFailureException failure)
        {
            problem.Extensions[RetryAfter] = failure.RetryAfterSeconds;
        }

        return problem;
    }

    /// <summary>A problem document with every member set.</summary>
    public static ProblemDetails Create(int status, string title, string code, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { [Error] = ApiError.For(status, code, detail) },
    };

    /// <summary>The kind in snake_case (<c>invalid_input</c>, <c>too_large</c>, …).</summary>
    public static string Code(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => "bad_request",
        ErrorKind.InvalidInput => "invalid_input",
        ErrorKind.TooLarge => "too_large",
        ErrorKind.NotFound => "not_found",
        ErrorKind.Unauthorized => "unauthorized",
        ErrorKind.Overloaded => "overloaded",
        ErrorKind.NotReady => "not_ready",
        ErrorKind.Corrupt => "corrupt",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind"),
    };

    private static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => "The request is malformed",
        ErrorKind.InvalidInput => "The request's values are invalid",
        ErrorKind.TooLarge => "The request is too large",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Unauthorized => "Unauthorized",
        ErrorKind.Overloaded => "The service is overloaded",
        ErrorKind.NotReady => "The service is not ready",
        ErrorKind.Corrupt => "A stored artefact is corrupt",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind"),
    };
}
