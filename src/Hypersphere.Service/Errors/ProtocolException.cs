using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Errors;

/// <summary>
/// A request refused for how it was sent over HTTP rather than for what it says: a media type the route does
/// not take (415), a body that arrived too slowly (408), a URL too long (414). The client's fault like
/// <see cref="ErrorKind.BadRequest"/>, whose kind it keeps, but with the status HTTP has for it.
/// </summary>
public sealed class ProtocolException : HypersphereException
{
    private ProtocolException(int status, string code, string title, string detail, Exception? inner)
        : base(ErrorKind.BadRequest, detail, inner) => (Status, Code, Title) = (status, code, title);

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The <see cref="ApiError.Code"/>.</summary>
    public string Code { get; }

    /// <summary>The problem's title.</summary>
    public string Title { get; }

    /// <summary>415: the body is of a media type the route does not take.</summary>
    public static ProtocolException UnsupportedMediaType(string detail) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "The body's media type is not supported", detail, null);

    /// <summary>408: the body did not arrive in time.</summary>
    public static ProtocolException RequestTimeout(string detail, Exception? inner = null) =>
        new(StatusCodes.Status408RequestTimeout, "request_timeout", "The request body arrived too slowly", detail, inner);

    /// <summary>414: the URL is longer than the service reads.</summary>
    public static ProtocolException UriTooLong(string detail) =>
        new(StatusCodes.Status414UriTooLong, "uri_too_long", "The URL is too long", detail, null);
}
