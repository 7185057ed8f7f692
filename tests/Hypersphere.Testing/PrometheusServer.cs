using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Hypersphere.Testing;

/// <summary>
/// A real Prometheus server (Debian's /usr/bin/prometheus, package prometheus) scraping one target, for end-to-end
/// tests of what the service exports. It listens on 127.0.0.1 on a free port, with a temporary configuration
/// (scrape and evaluation every second, job <c>hypersphere</c>) and a temporary TSDB folder, both deleted on dispose.
/// Its lifetime is bounded twice: dispose kills it, and it runs under coreutils' <c>timeout</c>, so it ends after
/// <c>lifetime</c> even if the test process dies. A missing binary skips the test, or fails it in CI.
/// <para>Use: start the service on a real port, then
/// <c>await using var prometheus = await PrometheusServer.StartAsync(new Uri(address + "/metrics"));</c>, send traffic,
/// and <c>await prometheus.WaitForSampleAsync("sum(hypersphere_live_uniformity)", v => …, TimeSpan.FromSeconds(30))</c>.</para>
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    /// <summary>The scrape job's name (the <c>job</c> label of every scraped series).</summary>
    public const string Job = "hypersphere";

    private const string Binary = "/usr/bin/prometheus";
    private const string Timeout = "/usr/bin/timeout";
    private readonly TempFolder _folder;
    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly HttpClient _http;

    private PrometheusServer(TempFolder folder, Process process, StringBuilder log, Uri address)
    {
        _folder = folder;
        _process = process;
        _log = log;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Where the server's HTTP API listens (http://127.0.0.1:port/).</summary>
    public Uri Address { get; }

    /// <summary>What the server has logged so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Prometheus scraping <paramref name="target"/> (e.g. http://127.0.0.1:41234/metrics) and waits until it
    /// answers /-/ready. It is killed after <paramref name="lifetime"/> (default 5 minutes) whatever happens.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var binary = DebianTool.Require(Binary, "prometheus");
        var seconds = (int)Math.Ceiling((lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds);
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // The port is free when asked; another process may take it before Prometheus binds it, so try again then.
            var folder = new TempFolder();
            var port = FreePort();
            var config = folder.File("prometheus.yml");
            File.WriteAllText(config, Config(target));
            var start = new ProcessStartInfo(Timeout)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--kill-after=5", seconds.ToString(CultureInfo.InvariantCulture), binary,
                $"--config.file={config}", $"--storage.tsdb.path={folder.Folder("data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn",
            })
            {
                start.ArgumentList.Add(argument);
            }

            var log = new StringBuilder();
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var server = new PrometheusServer(folder, process, log, new Uri($"http://127.0.0.1:{port}/"));
            if (await server.WaitForReadyAsync(TimeSpan.FromSeconds(60)))
            {
                return server;
            }

            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt + 1} on port {port}:").AppendLine(server.Log);
            await server.DisposeAsync();
        }

        throw new InvalidOperationException($"{Binary} did not become ready:\n{failures}");
    }

    /// <summary>
    /// The value of an instant query (<c>/api/v1/query</c>) now: null when it matches no series; one series' value
    /// otherwise (aggregate with <c>sum(…)</c> to read several; more than one series is an error).
    /// </summary>
    public async Task<double?> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        var answer = JsonNode.Parse(body);
        if (response.StatusCode != HttpStatusCode.OK || (string?)answer?["status"] != "success")
        {
            throw new InvalidOperationException($"Prometheus refused '{promql}' ({(int)response.StatusCode}): {body}");
        }

        var result = answer!["data"]!["result"]!;
        return (string?)answer["data"]!["resultType"] switch
        {
            "scalar" => Parse(result[1]),
            "vector" => result.AsArray().Count switch
            {
                0 => null,
                1 => Parse(result[0]!["value"]![1]),
                var n => throw new InvalidOperationException($"'{promql}' gives {n} series; aggregate it (sum, max, …) to one: {body}"),
            },
            var type => throw new InvalidOperationException($"'{promql}' gives a {type}, not an instant vector or scalar"),
        };
    }

    /// <summary>
    /// Queries <paramref name="promql"/> every 250 ms until its value satisfies <paramref name="accept"/> and returns
    /// it; fails the test with the last value and Prometheus's log after <paramref name="timeout"/>.
    /// </summary>
    public async Task<double> WaitForSampleAsync(string promql, Func<double, bool> accept, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var deadline = DateTime.UtcNow + timeout;
        double? last;
        while (true)
        {
            last = await QueryAsync(promql);
            if (last is { } value && accept(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        var up = await QueryAsync($"sum(up{{job=\"{Job}\"}})");
        Assert.Fail($"'{promql}' did not reach the expected value within {timeout}: last {last?.ToString("R", CultureInfo.InvariantCulture) ?? "no series"} (target up: {up?.ToString(CultureInfo.InvariantCulture) ?? "never scraped"}).\nPrometheus log:\n{Log}");
        return double.NaN;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _folder.Dispose();
    }

    private async Task<bool> WaitForReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await _http.GetAsync("-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static string Config(Uri target) => $"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: {Job}
            scheme: {target.Scheme}
            metrics_path: "{target.AbsolutePath}"
            static_configs:
              - targets: ["{target.Authority}"]
        """;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Prometheus writes sample values as Go's strconv does: "+Inf" and "-Inf" where .NET says "Infinity".
    private static double Parse(JsonNode? value) => (string)value! switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
