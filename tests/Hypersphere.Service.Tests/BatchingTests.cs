using System.Text;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Inference;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>Dynamic batching, the bounded queue, the concurrency limit and the request timeout, with a runner that can hold runs.</summary>
public sealed class BatchingTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public BatchingTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task TwentyConcurrentSingleImageRequestsShareFewerRunsAndEachGetsItsOwnEmbedding()
    {
        using var runner = new GatedRunner(open: true);
        await using var factory = new ServiceFactory(Models(), Settings(("MaxBatchDelayMs", "50"), ("MaxBatchSize", "32")), runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var images = Enumerable.Range(0, 20).Select(i => RandomImage(seed: 100 + i)).ToArray();
        // One request first, so the JIT's first-call costs do not spread the twenty out in time.
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(seed: 99) })));
        var before = runner.Sizes.Count;

        var answers = await Task.WhenAll(images.Select(image => client.PostAsync("/v1/embeddings", Http.Json(new { input = image }))));

        var encoder = Assert.Single(factory.Registry.Loaded).Encoder;
        for (var i = 0; i < images.Length; i++)
        {
            var row = Http.Floats((await Http.OkJson(answers[i]))["data"]![0]!["embedding"]);
            var reference = _toys.Reference(seed: 1, images[i], 1)[0];
            var direct = encoder.Embed(images[i], 1);
            Assert.All(row.Zip(reference), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"request {i}: {p.First} vs the reference {p.Second}"));
            Assert.All(row.Zip(direct), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6, $"request {i}: {p.First} vs a run of its own {p.Second}"));
        }

        var runs = runner.Sizes.Skip(before).ToArray();
        Assert.Equal(20, runs.Sum());
        Assert.True(runs.Length < 20, $"20 requests within 50 ms should share runs, but took {runs.Length}: [{string.Join(", ", runs)}]");
        var metrics = await client.GetStringAsync("/metrics");
        PrometheusText.AssertValue(metrics, "hypersphere_batch_size_count{model=\"toy@1\"}", before + runs.Length);
        PrometheusText.AssertValue(metrics, "hypersphere_batch_size_sum{model=\"toy@1\"}", 21);
    }

    [SkippableFact]
    public async Task AFullQueueAnswers429WithRetryAfterWhileTheQueuedRequestsComplete()
    {
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(Models(), Settings(("MaxBatchSize", "1"), ("MaxBatchDelayMs", "0"), ("MaxQueue", "2"), ("ConcurrentBatches", "1")), runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var batching = factory.Services.GetRequiredService<BatchScheduler>();

        var running = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(1) }));
        Assert.True(await runner.WaitForRunAsync());
        var queued = client.PostAsync("/v1/embeddings", Http.Json(new { input = new[] { RandomImage(2), RandomImage(3) } }));
        await Until(() => batching.QueueDepth(new ModelId("toy", "1")) == 2);
        var refused = await client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(4) }));

        var problem = await Http.Problem(refused, 429, "the queue of model toy@1 holds 2 images", "Hypersphere:MaxQueue");
        Assert.Equal("overloaded", (string?)problem["error"]!["code"]);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter.Value.TotalSeconds >= 1, $"Retry-After {retryAfter}");
        Assert.Equal((int)retryAfter.Value.TotalSeconds, (int)problem["retry_after"]!);
        runner.Open();
        await Http.OkJson(await running);
        Assert.Equal(2, (await Http.OkJson(await queued))["data"]!.AsArray().Count);
        var metrics = await client.GetStringAsync("/metrics");
        PrometheusText.AssertValue(metrics, "hypersphere_rejected_total{reason=\"queue_full\"}", 1);
        PrometheusText.AssertValue(metrics, "hypersphere_http_requests_total{method=\"POST\",route=\"/v1/embeddings\",status=\"429\"}", 1);
    }

    [SkippableFact]
    public async Task ARequestOverTheConcurrencyLimitAnswers429WithRetryAfter()
    {
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(Models(), Settings(("MaxConcurrentRequests", "1"), ("MaxWaitingRequests", "0")), runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var running = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(1) }));
        Assert.True(await runner.WaitForRunAsync());
        var refused = await client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(2) }));

        await Http.Problem(refused, 429, "already embedding 1 requests", "Hypersphere:MaxConcurrentRequests");
        Assert.True(refused.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
        runner.Open();
        await Http.OkJson(await running);
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(2) })));
        PrometheusText.AssertValue(await client.GetStringAsync("/metrics"), "hypersphere_rejected_total{reason=\"concurrency\"}", 1);
    }

    [SkippableFact]
    public async Task ARequestWaitsForAPermitAndOneMoreIsRefusedBeforeItsBodyArrives()
    {
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(Models(), Settings(("MaxConcurrentRequests", "1"), ("MaxWaitingRequests", "1")), runner.Install);
        // Real sockets: an HTTP/1.1 client reads an early answer while its body is still being sent.
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        var address = factory.Services.ListeningAddress();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        await factory.WaitForStartupLoadAsync();

        var running = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(1) }));
        Assert.True(await runner.WaitForRunAsync());
        var waiting = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(2) }));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "the second request must wait for the permit");

        // A body that never arrives whole: the refusal cannot have needed it.
        var uri = new Uri(address);
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(uri.Host, uri.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/embeddings HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"input\": "));
        var answer = new byte[4096];
        var read = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var text = Encoding.ASCII.GetString(answer, 0, read);
        Assert.StartsWith("HTTP/1.1 429", text, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", text, StringComparison.Ordinal);
        Assert.Contains("Retry-After:", text, StringComparison.Ordinal);

        runner.Open();
        await Http.OkJson(await running);
        await Http.OkJson(await waiting);
    }


    [SkippableFact]
    public async Task ARequestPastItsTimeoutAnswers503AndItsQueuedImagesNeverRun()
    {
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(Models(), Settings(("MaxBatchSize", "1"), ("MaxBatchDelayMs", "0"), ("RequestTimeoutMs", "300"), ("ConcurrentBatches", "1")), runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var running = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(1) }));
        Assert.True(await runner.WaitForRunAsync());
        var queued = client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(2) }));

        await Http.Problem(await running, 503, "did not finish within 300 ms", "Hypersphere:RequestTimeoutMs");
        await Http.Problem(await queued, 503, "did not finish within 300 ms");
        runner.Open();
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = RandomImage(3) })));
        Assert.Equal([1, 1], runner.Sizes); // the held run and the last request's: the timed-out queued image was dropped
        PrometheusText.AssertValue(await client.GetStringAsync("/metrics"), "hypersphere_timeouts_total", 2);
    }

    [SkippableFact]
    public async Task ConcurrentBatchesRunThatManyBatchesAtOnceAndTheNextWaitsForASlot()
    {
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(Models(), Settings(("MaxBatchSize", "1"), ("MaxBatchDelayMs", "0"), ("ConcurrentBatches", "2")), runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var images = Enumerable.Range(0, 3).Select(i => RandomImage(seed: 40 + i)).ToArray();

        var answers = images.Select(image => client.PostAsync("/v1/embeddings", Http.Json(new { input = image }))).ToArray();

        Assert.True(await runner.WaitForRunAsync());
        Assert.True(await runner.WaitForRunAsync(), "a second batch should run beside the first");
        Assert.False(await runner.WaitForRunAsync(TimeSpan.FromMilliseconds(500)), "a third batch ran while two held both slots");
        runner.Open();
        for (var i = 0; i < images.Length; i++)
        {
            var row = Http.Floats((await Http.OkJson(await answers[i]))["data"]![0]!["embedding"]);
            var reference = _toys.Reference(seed: 1, images[i], 1)[0];
            Assert.All(row.Zip(reference), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"request {i}: {p.First} vs {p.Second}"));
        }

        Assert.Equal([1, 1, 1], runner.Sizes);
    }

    [Theory]
    [InlineData(0, 0, ExecutionProviders.Cpu, 1, 0)] // both automatic: one thread a run, one run a core
    [InlineData(2, 0, ExecutionProviders.Cpu, 2, -2)] // threads set: cores / threads runs
    [InlineData(0, 3, ExecutionProviders.Cpu, 0, 3)] // runs set: threads left to ONNX Runtime
    [InlineData(0, 0, ExecutionProviders.Cuda, 1, 2)] // two runs at a time on a GPU
    [InlineData(4, 5, ExecutionProviders.Cuda, 4, 5)]
    public void AutomaticConcurrencyGivesEachCoreOneSingleThreadedRunOnCpuAndTwoRunsOnCuda(int threads, int batches, string provider, int expectedThreads, int expectedRuns)
    {
        var options = new HypersphereOptions { IntraOpThreads = threads, ConcurrentBatches = batches };

        // 0: one a core; -k: one per k cores (at least one)
        var runs = expectedRuns switch
        {
            0 => Environment.ProcessorCount,
            < 0 => Math.Max(1, Environment.ProcessorCount / -expectedRuns),
            _ => expectedRuns,
        };
        Assert.Equal(expectedThreads, options.EffectiveIntraOpThreads);
        Assert.Equal(runs, options.EffectiveConcurrentBatches(provider));
    }

    [Fact]
    public void RetryAfterIsTheQueuesDrainTimeAtTheRecentRateAndAtLeastOneSecond()
    {
        var rate = new DrainRate();
        Assert.Equal(1, rate.SecondsToDrain(1_000)); // no run yet

        rate.Record(images: 100, seconds: 1.0);
        rate.Record(images: 100, seconds: 1.0);

        Assert.Equal(100, rate.ImagesPerSecond, 9);
        Assert.Equal(3, rate.SecondsToDrain(250));
        Assert.Equal(1, rate.SecondsToDrain(10));
        Assert.Equal(1, rate.SecondsToDrain(0));
    }

    private string Models()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        return root;
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] settings) =>
        settings.ToDictionary(s => $"Hypersphere:{s.Key}", s => (string?)s.Value);

    private static float[] RandomImage(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, ToyModels.ImageSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
            await Task.Delay(10);
        }
    }
}
