namespace Hypersphere.Service.Hosting;

/// <summary>
/// Headers every answer carries: <c>X-Content-Type-Options: nosniff</c> (a browser never guesses a type for a body),
/// a Content-Security-Policy (<c>default-src 'none'</c> for data; a page's own scripts and styles for the pages, which
/// none may frame), <c>Referrer-Policy: no-referrer</c>. Kestrel's <c>Server</c> header is off (<see cref="HypersphereOptionsSetup"/>).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy of data answers (JSON, .npy, metrics).</summary>
    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The policy of pages (Swagger UI): their own scripts and styles, inline styles, data: images, no framing.</summary>
    public const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>Adds the headers to every answer, error answers included.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set as the answer starts, not now: the exception handler clears the headers of a failed request.
        context.Response.OnStarting(Add, context);
        return next(context);
    });

    private static Task Add(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase) ? PagePolicy : DataPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return Task.CompletedTask;
    }
}
