using Hypersphere.Service.Runtime.Models;
using System.Net;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Tests;

/// <summary>Graceful shutdown on a real Kestrel port: stop taking connections, finish and drain, then dispose the sessions.</summary>
public sealed class ShutdownTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public ShutdownTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task StoppingTheHostFinishesTheRunningAndTheQueuedRequestsThenDisposesTheSession()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(
            root,
            new Dictionary<string, string?> { ["Hypersphere:MaxBatchSize"] = "1", ["Hypersphere:MaxBatchDelayMs"] = "0", ["Hypersphere:ConcurrentBatches"] = "1" },
            runner.Install);
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        var address = new Uri(factory.Services.ListeningAddress());
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var model = Assert.Single(factory.Registry.Loaded);
        var images = new[] { Image(1), Image(2) };

        var running = http.PostAsync("/v1/embeddings", Http.Json(new { input = images[0] }));
        Assert.True(await runner.WaitForRunAsync());
        var queued = http.PostAsync("/v1/embeddings", Http.Json(new { input = images[1] }));
        var batching = factory.Services.GetRequiredService<BatchScheduler>();
        while (batching.QueueDepth(new ModelId("toy", "1")) == 0)
        {
            await Task.Delay(10);
        }

        var stopping = factory.Services.GetRequiredService<IHost>().StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted, "the host must wait for the requests in flight");
        using (var fresh = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => fresh.GetAsync("/healthz/live")); // no new connections
        }

        runner.Open();

        for (var i = 0; i < 2; i++)
        {
            var response = await (i == 0 ? running : queued);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var row = Http.Floats((await Http.OkJson(response))["data"]![0]!["embedding"]);
            Assert.All(row.Zip(_toys.Reference(seed: 1, images[i], 1)[0]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5));
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 1], runner.Sizes);
        Assert.Equal(ErrorKind.NotReady, Assert.Throws<HypersphereException>(() => model.Encoder.Embed(images[0], 1)).Kind);
    }

    [Fact]
    public async Task TheHostsShutdownTimeoutIsHypersphereShutdownTimeoutSeconds()
    {
        await using var factory = new ServiceFactory(_temp.Folder("models"), new Dictionary<string, string?> { ["Hypersphere:ShutdownTimeoutSeconds"] = "7" });
        using var client = factory.CreateClient();

        Assert.Equal(TimeSpan.FromSeconds(7), factory.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private static float[] Image(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, ToyModels.ImageSize).Select(_ => (float)random.NextDouble()).ToArray();
    }
}
