namespace Hypersphere.Service.Hosting;

/// <summary>
/// Headers every answer carries: <c>X-Content-Type-Options: nosniff</c> (a browser never guesses a type for a body),
/// a Content-Security-Policy (<c>default-src 'none'</c> for data; a page's own scripts and styles for the pages, the
/// page at <c>/</c> and Swagger UI, which none may frame; inline styles and no script for the HTML report), <c>Referrer-Policy: no-referrer</c>. Kestrel's <c>Server</c> header is off (<see cref="HypersphereOptionsSetup"/>).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy of data answers (JSON, .npy, metrics).</summary>
    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The policy of pages (Swagger UI): their own scripts and styles, inline styles, data: images, no framing.</summary>
    public const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>
    /// The policy of the HTML report of <c>POST /v1/quality</c> (set by its handler): inline styles and SVG only, no
    /// script, no fetch of anything, no framing.
    /// </summary>
    public const string ReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>The page at <c>/</c> (static files, <c>wwwroot</c>) and Swagger UI: what <see cref="PagePolicy"/> covers.</summary>
    public static bool IsPage(PathString path) =>
        path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase) || path.Value is "/" or "/index.html";

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
        // A handler that answers a document of its own (the HTML report) has set that document's policy already.
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = IsPage(context.Request.Path) ? PagePolicy : DataPolicy;
        }

        headers["Referrer-Policy"] = "no-referrer";
        return Task.CompletedTask;
    }
}
