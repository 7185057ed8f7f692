namespace Hypersphere.Core.Errors;

/// <summary>
/// The closed set of failure kinds. Each maps to exactly one HTTP status and one CLI exit
/// code (see <see cref="ErrorKindMapping"/>), so callers never invent their own.
/// </summary>
public enum ErrorKind
{
    /// <summary>The request is malformed: unparsable, missing or wrongly typed fields.</summary>
    BadRequest,

    /// <summary>The request parses but its values are invalid (non-unit rows, NaN, α ≤ 0, …).</summary>
    InvalidInput,

    /// <summary>The input exceeds a configured limit.</summary>
    TooLarge,

    /// <summary>A named thing (file, model) does not exist.</summary>
    NotFound,

    /// <summary>Credentials are missing or wrong.</summary>
    Unauthorized,

    /// <summary>The server has too much work queued; try again later.</summary>
    Overloaded,

    /// <summary>The component is not ready (model not loaded or warmed up).</summary>
    NotReady,

    /// <summary>A stored artefact (model, checkpoint, data file) is corrupt or inconsistent.</summary>
    Corrupt,
}

/// <summary>An expected failure with a message that says what was wrong and what was expected.</summary>
public class HypersphereException : Exception
{
    /// <summary>Creates an error of the given kind.</summary>
    public HypersphereException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>Whose fault it is and how to report it.</summary>
    public ErrorKind Kind { get; }

    /// <summary>Shorthand for <see cref="ErrorKind.InvalidInput"/>.</summary>
    public static HypersphereException Invalid(string message) => new(ErrorKind.InvalidInput, message);

    /// <summary>Shorthand for <see cref="ErrorKind.BadRequest"/>.</summary>
    public static HypersphereException Bad(string message) => new(ErrorKind.BadRequest, message);
}
