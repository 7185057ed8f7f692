using Hypersphere.Core.Errors;
using Microsoft.AspNetCore.Mvc;

namespace Hypersphere.Service.Errors;

/// <summary>
/// The one place where an <see cref="ErrorKind"/> becomes a problem document (RFC 9457,
/// <c>application/problem+json</c>): the status comes from Core's <see cref="ErrorKindMapping.HttpStatus"/>,
/// the title from the kind, the detail says what was wrong, and <c>error</c> names the kind for programs.
/// An overloaded answer also carries <c>retry_after</c> (seconds), which the exception handler sends as <c>Retry-After</c>.
/// </summary>
public static class Problems
{
    /// <summary>The problem extension (and <see cref="Exception.Data"/> key) holding the seconds to wait before retrying.</summary>
    public const string RetryAfter = "retry_after";

    /// <summary>An <see cref="ErrorKind.Overloaded"/> failure (429) whose answer says to retry after <paramref name="seconds"/> (at least 1).</summary>
    public static HypersphereException Overloaded(string detail, int seconds, Exception? inner = null)
    {
        var exception = new HypersphereException(ErrorKind.Overloaded, detail, inner);
        exception.Data[RetryAfter] = Math.Max(1, seconds);
        return exception;
    }

    /// <summary>A problem document for <paramref name="kind"/> with <paramref name="detail"/>.</summary>
    public static ProblemDetails For(ErrorKind kind, string detail) => new()
    {
        Status = ErrorKindMapping.HttpStatus(kind),
        Title = Title(kind),
        Detail = detail,
        Extensions = { ["error"] = Code(kind) },
    };

    /// <summary>A problem document for an expected failure.</summary>
    public static ProblemDetails For(HypersphereException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var problem = For(exception.Kind, exception.Message);
        if (exception.Data[RetryAfter] is int seconds)
        {
            problem.Extensions[RetryAfter] = seconds;
        }

        return problem;
    }

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
