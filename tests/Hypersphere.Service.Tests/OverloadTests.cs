using System.Net.Http.Headers;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests;

/// <summary>Overload is expected behaviour: every refusal is an answer and a count, not a log line.</summary>
public sealed class OverloadTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public OverloadTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task TwoHundredRefusalsAreCountedAndAnsweredButLoggedAtMostOnceASecond()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        using var runner = new GatedRunner();
        var log = new CapturingLogger(LogLevel.Information);
        await using var factory = new ServiceFactory(
            root,
            new Dictionary<string, string?> { ["Hypersphere:MaxConcurrentRequests"] = "1", ["Hypersphere:MaxWaitingRequests"] = "0", ["Hypersphere:RefusalDelayMs"] = "0" },
            services =>
            {
                runner.Install(services);
                services.AddSingleton<ILoggerProvider>(log);
            });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var running = client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() }));
        Assert.True(await runner.WaitForRunAsync());
        var before = log.Entries.Count;

        var started = DateTime.UtcNow;
        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = new ByteArrayContent([0x93, 0x4e, 0x55]) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-npy"));
            await Http.Problem(await client.SendAsync(request), 429, "Hypersphere:MaxConcurrentRequests");
        }

        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var entries = log.Entries.Skip(before).ToArray();
        Assert.True(entries.Length <= Math.Ceiling(seconds) + 1, $"{entries.Length} log entries for 200 refusals in {seconds:F1} s:\n{string.Join("\n", entries)}");
        Assert.DoesNotContain(entries, e => e.Contains("   at ", StringComparison.Ordinal));
        runner.Open();
        await Http.OkJson(await running);
        PrometheusText.AssertValue(await client.GetStringAsync("/metrics"), "hypersphere_rejected_total{reason=\"concurrency\"}", 200);
    }

    [SkippableFact]
    public async Task ARefusalWaitsTheRefusalDelayWithoutHoldingAPermit()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(
            root,
            new Dictionary<string, string?> { ["Hypersphere:MaxConcurrentRequests"] = "1", ["Hypersphere:MaxWaitingRequests"] = "0", ["Hypersphere:RefusalDelayMs"] = "400" },
            runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var body = Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() });
        var running = client.PostAsync("/v1/embeddings", body);
        Assert.True(await runner.WaitForRunAsync());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refusals = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, 64).ToArray() }))));
        var elapsed = clock.Elapsed;

        foreach (var refused in refusals)
        {
            await Http.Problem(refused, 429, "Hypersphere:MaxConcurrentRequests");
        }

        // Three refusals at once each waited the delay side by side: no permit, no queue.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(380) && elapsed < TimeSpan.FromSeconds(10), $"three refusals took {elapsed.TotalMilliseconds:F0} ms");
        runner.Open();
        await Http.OkJson(await running);
    }
}
