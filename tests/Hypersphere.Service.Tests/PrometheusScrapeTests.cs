using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>
/// A real Prometheus (Debian's package, <see cref="PrometheusServer"/>) scraping the real app on Kestrel: what its
/// query API reports is what the test did, counted by the test.
/// </summary>
public sealed class PrometheusScrapeTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public PrometheusScrapeTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task PrometheusScrapesTheRequestCounterAsTheNumberOfEmbeddingRequestsSent()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root);
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        var address = factory.Services.ListeningAddress();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(address + "/metrics"));
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        const string sent = "sum(hypersphere_http_requests_total{job=\"hypersphere\", method=\"POST\", route=\"/v1/embeddings\", status=\"200\"})";

        Assert.Equal(1, await prometheus.WaitForSampleAsync("sum(up{job=\"hypersphere\"})", v => v == 1, TimeSpan.FromSeconds(30)));
        Assert.Null(await prometheus.QueryAsync(sent)); // no embedding request yet: no series
        var requests = 0;
        for (var i = 0; i < 7; i++)
        {
            var input = Enumerable.Range(0, ToyModels.ImageSize).Select(k => (float)Math.Sin((0.1 * k) + i)).ToArray();
            await Http.OkJson(await http.PostAsync("/v1/embeddings", Http.Json(new { model = "toy", input })));
            requests++;
        }

        var scraped = await prometheus.WaitForSampleAsync(sent, v => v >= requests, TimeSpan.FromSeconds(30));
        Assert.Equal(requests, scraped);
        // Later scrapes still say so (nothing else is counted as an embedding request), and the latency histogram
        // observed each one.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(requests, await prometheus.QueryAsync(sent));
        Assert.Equal(requests, await prometheus.QueryAsync(sent.Replace("hypersphere_http_requests_total", "hypersphere_http_request_duration_seconds_count", StringComparison.Ordinal)));

        // The harness's own contract: several series or a malformed query are errors, not a quiet first value.
        var several = await Assert.ThrowsAsync<InvalidOperationException>(() => prometheus.QueryAsync("{job=\"hypersphere\"}"));
        Assert.Contains("aggregate", several.Message, StringComparison.Ordinal);
        var malformed = await Assert.ThrowsAsync<InvalidOperationException>(() => prometheus.QueryAsync("sum(up"));
        Assert.Contains("400", malformed.Message, StringComparison.Ordinal);
    }
}
