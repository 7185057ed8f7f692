namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// One running service shared by a collection of tests: models/toy/1 (seed 1) and models/toy/2 (seed 2),
/// with small limits so the limit tests stay small: 8 items, 10 000 pixels, 256 KiB bodies, 4096 quality
/// values, batches of 3 (so a request of 8 items takes three runs).
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime, IDisposable
{
    public const int MaxItems = 8, MaxPixels = 10_000, MaxBody = 256 * 1024, MaxQualityValues = 4096;

    private readonly TempFolder _temp = new();

    public ToyModels Toys { get; } = new();

    public ServiceFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string ModelsRoot => Path.Combine(_temp.Path, "models");

    public async Task InitializeAsync()
    {
        if (!Toys.Available)
        {
            return; // each test calls Require(), which skips or fails
        }

        Toys.WriteVersion(_temp.Folder("models"), "toy", "1", seed: 1);
        Toys.WriteVersion(ModelsRoot, "toy", "2", seed: 2);
        Factory = new ServiceFactory(ModelsRoot, new Dictionary<string, string?>
        {
            ["Hypersphere:MaxItemsPerRequest"] = $"{MaxItems}",
            ["Hypersphere:MaxImagePixels"] = $"{MaxPixels}",
            ["Hypersphere:MaxBodyBytes"] = $"{MaxBody}",
            ["Hypersphere:MaxQualityValues"] = $"{MaxQualityValues}",
            ["Hypersphere:MaxBatchSize"] = "3",
        });
        Client = Factory.CreateClient();
        await Factory.WaitForStartupLoadAsync();
    }

    public void Require() => Toys.Require();

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Toys.Dispose();
        _temp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedService : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
