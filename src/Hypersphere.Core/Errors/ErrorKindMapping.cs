namespace Hypersphere.Core.Errors;

/// <summary>The one place where error kinds become HTTP statuses and process exit codes.</summary>
public static class ErrorKindMapping
{
    /// <summary>HTTP status for an error kind.</summary>
    public static int HttpStatus(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => 400,
        ErrorKind.InvalidInput => 422,
        ErrorKind.TooLarge => 413,
        ErrorKind.NotFound => 404,
        ErrorKind.Unauthorized => 401,
        ErrorKind.Overloaded => 429,
        ErrorKind.NotReady => 503,
        ErrorKind.Corrupt => 422,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind"),
    };

    /// <summary>Process exit code for an error kind (0 is success, 1 an unexpected crash).</summary>
    public static int ExitCode(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => 2,
        ErrorKind.InvalidInput => 3,
        ErrorKind.TooLarge => 4,
        ErrorKind.NotFound => 5,
        ErrorKind.Unauthorized => 6,
        ErrorKind.Overloaded => 7,
        ErrorKind.NotReady => 8,
        ErrorKind.Corrupt => 9,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind"),
    };
}
