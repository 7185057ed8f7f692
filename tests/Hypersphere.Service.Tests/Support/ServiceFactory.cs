using Hypersphere.Service.Serving;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests.Support;

/// <summary>The real app (Program) over a given models root, on the CPU, with the given settings on top.</summary>
public sealed class ServiceFactory(string modelsRoot, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    /// <summary>Waits until the start-up loading has finished (loaded or failed).</summary>
    public async Task WaitForStartupLoadAsync() => await Registry.Initialization.WaitAsync(TimeSpan.FromSeconds(60));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var all = new Dictionary<string, string?>
        {
            ["Hypersphere:ModelsPath"] = modelsRoot,
            ["Hypersphere:ExecutionProvider"] = "cpu",
            ["Hypersphere:IntraOpThreads"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(all));
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}
