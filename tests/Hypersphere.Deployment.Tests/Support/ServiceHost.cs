using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The real service (Program), in-process, over an empty models folder on the CPU: what the probes, the scrape
/// and the health check of the deployment files reach. Shared by a test class.
/// </summary>
public sealed class ServiceHost : WebApplicationFactory<Program>
{
    private readonly TempFolder _models = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hypersphere:ModelsPath"] = _models.Path,
            ["Hypersphere:ExecutionProvider"] = "cpu",
            ["Hypersphere:ModelWatch"] = "off",
        };
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _models.Dispose();
        }
    }
}
