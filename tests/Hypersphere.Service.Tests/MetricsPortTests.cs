using System.Net;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>
/// <c>MetricsPort</c>: the real process's Kestrel listens on the API port and on the metrics port, and each answers
/// only its own routes. A process, not the test host: the listening addresses are fixed from the configuration the
/// process starts with.
/// </summary>
public sealed class MetricsPortTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MetricsAreAnsweredOnTheirOwnPortOnlyAndTheApiPortAnswersEverythingElse()
    {
        var metrics = ServiceProcess.FreePort();
        using var process = ServiceProcess.Start(_temp.Folder("models"), _temp.Path, $"--Hypersphere:MetricsPort={metrics}");
        var api = process.Port;
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await process.WaitUntilLiveAsync(http);

            var scrape = await http.GetAsync(new Uri($"http://127.0.0.1:{metrics}/metrics"));
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Contains("hypersphere_http_requests_total", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            await Http.Problem(await http.GetAsync(new Uri($"http://127.0.0.1:{api}/metrics")), 404, "there is no route GET ", "/metrics");
            await Http.Problem(await http.GetAsync(new Uri($"http://127.0.0.1:{metrics}/healthz/live")), 404, "there is no route GET ", "/healthz/live");
            await Http.Problem(await http.GetAsync(new Uri($"http://127.0.0.1:{metrics}/v1/models")), 404, "there is no route GET ", "/v1/models");

            // A Host header naming the metrics port does not open /metrics on the API port.
            using var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{api}/metrics"));
            spoofed.Headers.Host = $"127.0.0.1:{metrics}";
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(spoofed)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{api}/healthz/live"))).StatusCode);
        }
    }
}
