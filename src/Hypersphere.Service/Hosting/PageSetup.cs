using Microsoft.Extensions.FileProviders;

namespace Hypersphere.Service.Hosting;

/// <summary>
/// The page at <c>/</c>: static files from <c>wwwroot</c> beside the assembly (index.html, app.js, style.css; plain
/// HTML, CSS and JavaScript, nothing fetched from elsewhere). They are served before authentication, so the page
/// itself needs no key; everything it shows comes from the <c>/v1</c> routes, which do (the page sends the key typed
/// into it) and which admission governs as for any client. Answers carry <see cref="SecurityHeaders.PagePolicy"/>.
/// </summary>
public static class PageSetup
{
    /// <summary>Where the page's files are: <c>wwwroot</c> beside the assembly, in bin, in the image and in tests.</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Serves <c>/</c> as <c>/index.html</c> and the page's files, revalidated on every load (no-cache).</summary>
    public static IApplicationBuilder UsePage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new PhysicalFileProvider(WebRoot);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, DefaultFileNames = ["index.html"] });
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
    }
}
