using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// The real app (Program) over a given models root, on the CPU, with the given settings on top, the folder watcher
/// off unless a test turns it on, and services replaced by <paramref name="services"/> (a slow batch runner, say).
/// </summary>
public sealed class ServiceFactory(
    string modelsRoot, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    private bool _kestrel;

    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    /// <summary>
    /// Serves on a real Kestrel port, a free one on 127.0.0.1, chosen through the app's own address setting:
    /// UseKestrel(0) rewrites the addresses after the app has started Kestrel on its own thread, which races it
    /// (dotnet/aspnetcore#67714, "Addresses cannot be modified after the server has started").
    /// </summary>
    public void UseKestrelOnAFreePort()
    {
        _kestrel = true;
        UseKestrel();
    }

    /// <summary>Waits until the start-up loading has finished (loaded or failed).</summary>
    public async Task WaitForStartupLoadAsync() => await Registry.Initialization.WaitAsync(TimeSpan.FromSeconds(60));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var all = new Dictionary<string, string?>
        {
            ["Hypersphere:ModelsPath"] = modelsRoot,
            ["Hypersphere:ExecutionProvider"] = "cpu",
            ["Hypersphere:IntraOpThreads"] = "1",
            ["Hypersphere:ModelWatch"] = "off",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        if (_kestrel)
        {
            all[WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0";
        }

        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(all));
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
