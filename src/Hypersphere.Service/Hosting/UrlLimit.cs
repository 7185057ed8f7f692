using Hypersphere.Service.Errors;

namespace Hypersphere.Service.Hosting;

/// <summary>
/// Answers a URL longer than <see cref="MaxLength"/> with a 414 problem document. Kestrel reads request lines up to
/// twice that (<see cref="HypersphereOptionsSetup"/>); a longer line Kestrel refuses itself, with a bare 414, before
/// the app sees the request (docs/architecture.md lists what the framework answers without a body).
/// </summary>
public static class UrlLimit
{
    /// <summary>The longest path and query the service reads, in characters.</summary>
    public const int MaxLength = 8_192;

    /// <summary>Refuses long URLs before routing does anything with them.</summary>
    public static IApplicationBuilder UseUrlLimit(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var length = (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0);
        return length > MaxLength
            ? throw ProtocolException.UriTooLong($"the URL's path and query are {length} characters, but the service reads at most {MaxLength}; send large inputs in the body")
            : next(context);
    });
}
