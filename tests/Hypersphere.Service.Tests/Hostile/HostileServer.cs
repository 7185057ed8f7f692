using System.Net;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>
/// The real app in Production on a real Kestrel port (a free one on 127.0.0.1) serving the toy models toy@1 and toy@2 with
/// keys on /v1 and /admin and the small limits of <see cref="ServiceFixture"/>, for requests no client library
/// would send. Shared by the hostile tests; each ends by checking the service is still ready.
/// </summary>
public sealed class HostileServer : IAsyncLifetime, IDisposable
{
    public const string ApiKey = "hostile-api-key", AdminKey = "hostile-admin-key";

    private readonly TempFolder _temp = new();
    private ProductionKestrelFactory? _factory;

    public ToyModels Toys { get; } = new();

    public Uri Address { get; private set; } = null!;

    public string ModelsRoot => Path.Combine(_temp.Path, "models");

    public async Task InitializeAsync()
    {
        if (!Toys.Available)
        {
            return; // each test calls Require(), which skips or fails
        }

        Toys.WriteVersion(_temp.Folder("models"), "toy", "1", seed: 1);
        Toys.WriteVersion(ModelsRoot, "toy", "2", seed: 2);
        var settings = Settings();
        settings["Hypersphere:QualityJobsPath"] = _temp.Folder("jobs"); // uploads the fuzz run sends as quality jobs
        _factory = new ProductionKestrelFactory(ModelsRoot, settings);
        _factory.StartServer();
        Address = new Uri(_factory.Services.ListeningAddress());
        await AssertReadyAsync();
    }

    /// <summary>The settings of this server: keys and small limits, so limit cases stay small.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Hypersphere:ApiKeys:0"] = ApiKey,
        ["Hypersphere:AdminKeys:0"] = AdminKey,
        ["Hypersphere:MaxItemsPerRequest"] = $"{ServiceFixture.MaxItems}",
        ["Hypersphere:MaxImagePixels"] = $"{ServiceFixture.MaxPixels}",
        ["Hypersphere:MaxBodyBytes"] = $"{ServiceFixture.MaxBody}",
        ["Hypersphere:MaxQualityValues"] = $"{ServiceFixture.MaxQualityValues}",
        ["Hypersphere:MaxBatchSize"] = "3",
    };

    public void Require() => Toys.Require();

    /// <summary>Sends raw request bytes; the answer or null (see <see cref="RawHttp.SendAsync"/>).</summary>
    public Task<RawAnswer?> SendAsync(byte[] request, TimeSpan? timeout = null) => RawHttp.SendAsync(Address, request, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>A request with the API key (unless <paramref name="headers"/> has an Authorization header), sent raw.</summary>
    public Task<RawAnswer?> SendAsync(string method, string target, byte[]? body, params (string Name, string Value)[] headers)
    {
        var all = headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            ? headers
            : [.. headers, ("Authorization", "Bearer " + (target.StartsWith("/admin", StringComparison.Ordinal) ? AdminKey : ApiKey))];
        return SendAsync(RawHttp.Request(method, target, all, body));
    }

    /// <summary>Asserts <c>GET /healthz/ready</c> answers 200: whatever came before did not break the service.</summary>
    public async Task AssertReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpResponseMessage response;
        while ((response = await http.GetAsync("/healthz/ready")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/healthz/ready answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Toys.Dispose();
        _temp.Dispose();
    }
}
