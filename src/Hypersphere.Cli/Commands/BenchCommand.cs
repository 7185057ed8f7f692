using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere bench metrics</c>: times Core's uniformity against the paper's PyTorch formula
/// (Debian's python3-torch) on the same random unit vectors, side by side in one run.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Rows", DefaultValueFactory = _ => 16384 };
        var dim = new Option<int>("--dim") { Description = "Dimension", DefaultValueFactory = _ => 128 };
        var t = new Option<double>("--t") { Description = "Uniformity kernel width", DefaultValueFactory = _ => 2 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per implementation (the median is reported)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads for both implementations", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Seed of the random data", DefaultValueFactory = _ => 0 };
        var python = new Option<string>("--python") { Description = "Python with torch and numpy; empty to skip the peer", DefaultValueFactory = _ => "/usr/bin/python3" };
        var metrics = new Command("metrics", "Uniformity: Core (tiled float32 and float64 kernels, all cores) vs torch.pdist(x).pow(2).mul(-t).exp().mean().log()")
        {
            n, dim, t, repeats, threads, seed, python,
        };
        metrics.SetAction(parse => CommandErrors.Run(() => RunMetrics(
            parse.GetValue(n), parse.GetValue(dim), parse.GetValue(t), parse.GetValue(repeats),
            parse.GetValue(threads), parse.GetValue(seed), parse.GetValue(python)!)));
        return new Command("bench", "Benchmarks that print numbers") { metrics, BenchStreamCommand.Create(), BenchTrainCommand.Create(), BenchEmbedCommand.Create(), BenchReportCommand.Create() };
    }

    private static int RunMetrics(int n, int dim, double t, int repeats, int threads, int seed, string python)
    {
        var data = SpherePoints.Uniform(n, dim, seed);
        var x = EmbeddingMatrix.Create(data, n, dim, normalize: false);
        var pairs = (double)n * (n - 1) / 2;
        var (doubleSeconds, doubleValue) = Median(() => Uniformity.Compute(x, t, threads, KernelPrecision.Double), repeats);
        var (singleSeconds, singleValue) = Median(() => Uniformity.Compute(x, t, threads, KernelPrecision.Single), repeats);
        var table = new Table().AddColumns("implementation", "median s", "uniformity", "pairs/s");
        table.AddRow("Hypersphere.Core (float32 kernel)", F(singleSeconds), F(singleValue), Rate(pairs, singleSeconds));
        table.AddRow("Hypersphere.Core (float64 kernel)", F(doubleSeconds), F(doubleValue), Rate(pairs, doubleSeconds));
        var peer = python.Length == 0 ? null : RunTorch(python, data, n, dim, t, repeats, threads);
        if (peer is not null)
        {
            table.AddRow($"torch {peer.Value.Version} pdist (float32)", F(peer.Value.Seconds), F(peer.Value.Value), Rate(pairs, peer.Value.Seconds));
        }

        AnsiConsole.MarkupLine($"uniformity, N = {n}, d = {dim}, t = {t}, {threads} threads, {repeats} timed runs each, seed {seed}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"float32 kernel over float64: [bold]{doubleSeconds / singleSeconds:F2}×[/]; |float32 − float64| = {Math.Abs(singleValue - doubleValue):E2}");
        if (peer is not null)
        {
            AnsiConsole.MarkupLine(
                $"speed-up over torch: [bold]{peer.Value.Seconds / singleSeconds:F2}×[/] (float32 kernel), {peer.Value.Seconds / doubleSeconds:F2}× (float64 kernel); " +
                $"|Core float64 − torch float64| = {Math.Abs(doubleValue - peer.Value.Value64):E2}, |Core float32 − torch float64| = {Math.Abs(singleValue - peer.Value.Value64):E2}, " +
                $"|torch float32 − torch float64| = {Math.Abs(peer.Value.Value - peer.Value.Value64):E2}");
        }

        return 0;
    }

    /// <summary>Runs <paramref name="run"/> once to warm up (JIT, page faults), then <paramref name="repeats"/> times: the median seconds and the value.</summary>
    internal static (double Seconds, double Value) Median(Func<double> run, int repeats)
    {
        var value = run();
        var times = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        return (times[times.Count / 2], value);
    }

    internal static string Rate(double pairs, double seconds) => (pairs / seconds).ToString("E3", CultureInfo.InvariantCulture);

    internal static CultureInfo Invariant => CultureInfo.InvariantCulture;

    private static (string Version, double Seconds, double Value, double Value64)? RunTorch(string python, float[] data, int n, int dim, double t, int repeats, int threads)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hypersphere-bench-{Environment.ProcessId}.npy");
        try
        {
            NpyFile.Write(path, data, n, dim);
            using var script = typeof(BenchCommand).Assembly.GetManifestResourceStream("torch_uniformity.py")!;
            var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-", path, F(t), repeats.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            script.CopyTo(process.StandardInput.BaseStream);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]torch peer skipped: {python} exited {process.ExitCode}: {error.Trim()}[/]");
                return null;
            }

            using var json = JsonDocument.Parse(output);
            var root = json.RootElement;
            return (root.GetProperty("torch").GetString()!, root.GetProperty("seconds").GetDouble(), root.GetProperty("value").GetDouble(), root.GetProperty("value_float64").GetDouble());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]torch peer skipped: cannot start {python}: {e.Message}[/]");
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static string F(double v) => v.ToString("G7", CultureInfo.InvariantCulture);
}
