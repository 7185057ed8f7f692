using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var (api, metrics) = (FreePort(), FreePort());
        using var process = Start(api, metrics);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilLive(http, api, process);

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
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private Process Start(int api, int metrics)
    {
        var start = new ProcessStartInfo(OptionsTests.DotnetHost(), [
            Path.Combine(AppContext.BaseDirectory, "Hypersphere.Service.dll"),
            $"--Hypersphere:ModelsPath={_temp.Folder("models")}",
            "--Hypersphere:ExecutionProvider=cpu",
            "--Hypersphere:ModelWatch=off",
            $"--Hypersphere:MetricsPort={metrics}",
            $"--urls=http://127.0.0.1:{api}",
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _temp.Path,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilLive(HttpClient http, int api, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"the service exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{api}/healthz/live"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the service did not start within 60 s");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
