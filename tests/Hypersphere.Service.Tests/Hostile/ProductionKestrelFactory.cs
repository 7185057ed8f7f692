using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>
/// The real app on a free Kestrel port of 127.0.0.1 as it is deployed: in the Production environment, where
/// <see cref="Support.ServiceFactory"/> (like every WebApplicationFactory) runs it in Development, whose
/// developer exception page would answer faults with stack traces no deployed service sends. Otherwise the same
/// settings as ServiceFactory: CPU, one intra-op thread, no folder watcher, warnings-only logging.
/// </summary>
public sealed class ProductionKestrelFactory : WebApplicationFactory<Program>
{
    private readonly string _modelsRoot;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public ProductionKestrelFactory(string modelsRoot, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        (_modelsRoot, _settings, _services) = (modelsRoot, settings, services);
        UseKestrel();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var all = new Dictionary<string, string?>
        {
            ["Hypersphere:ModelsPath"] = _modelsRoot,
            ["Hypersphere:ExecutionProvider"] = "cpu",
            ["Hypersphere:IntraOpThreads"] = "1",
            ["Hypersphere:ModelWatch"] = "off",
            [WebHostDefaults.ServerUrlsKey] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in _settings)
        {
            all[key] = value;
        }

        builder.UseEnvironment(Environments.Production);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(all));
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
