namespace Hypersphere.Service.Hosting;

/// <summary>The service listens on http://localhost:8080 unless told otherwise (docs/architecture.md, the HTTP contract).</summary>
public static class DefaultUrl
{
    /// <summary>The address used when none is configured.</summary>
    public const string Url = "http://localhost:8080";

    /// <summary>
    /// Listens on <see cref="Url"/> only when no address is configured: <c>--urls</c>, <c>ASPNETCORE_URLS</c>
    /// (or <c>DOTNET_URLS</c>), <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c> and <c>Kestrel:Endpoints</c> all win.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrl(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(Url);
        }

        return builder;
    }
}
