using Hypersphere.Core.Errors;
using Microsoft.AspNetCore.Mvc;

namespace Hypersphere.Service.Errors;

/// <summary>
/// The one place where an <see cref="ErrorKind"/> becomes a problem document (RFC 9457,
/// <c>application/problem+json</c>): the status comes from Core's <see cref="ErrorKindMapping.HttpStatus"/>,
/// the title from the kind, the detail says what was wrong, and <c>error</c> names the kind for programs.
/// </summary>
public static class Problems
{
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
        return For(exception.Kind, exception.Message);
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
