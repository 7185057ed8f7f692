using System.CommandLine;
using System.Diagnostics;
using Hypersphere.Inference;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere bench embed</c>: in-process ONNX Runtime embeddings/s for a model folder at a batch
/// size, with concurrent callers — the baseline that docs/service-benchmark.sh's HTTP numbers are
/// compared with.
/// </summary>
internal static class BenchEmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder models/<name>/<version>", Required = true };
        var batch = new Option<int>("--batch") { Description = "Rows per call", DefaultValueFactory = _ => 32 };
        var seconds = new Option<double>("--seconds") { Description = "Timed duration", DefaultValueFactory = _ => 10 };
        var callers = new Option<int>("--callers") { Description = "Concurrent callers on the one session", DefaultValueFactory = _ => 4 };
        var provider = new Option<string>("--provider") { Description = "auto, cuda or cpu", DefaultValueFactory = _ => "cpu" };
        var spinning = new Option<bool>("--spinning") { Description = "ONNX Runtime's idle intra-op threads spin (its default); --spinning false lets them sleep", DefaultValueFactory = _ => true };
        var threads = new Option<int>("--intra-op-threads") { Description = "ONNX Runtime intra-op threads (0: one per core)", DefaultValueFactory = _ => 0 };
        var command = new Command("embed", "In-process ONNX Runtime embeddings/s (the HTTP benchmark's baseline)") { model, batch, seconds, callers, provider, spinning, threads };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            Run(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(seconds), parse.GetValue(callers), new EncoderOptions(ExecutionProviders.Parse(parse.GetValue(provider)!), IntraOpThreads: parse.GetValue(threads), IntraOpSpinning: parse.GetValue(spinning)));
            return 0;
        }));
        return command;
    }

    private static void Run(string folder, int batch, double seconds, int callers, EncoderOptions options)
    {
        using var encoder = OnnxEncoder.Open(ModelRepository.ResolveFolder(folder), options);
        var input = encoder.Card.Input;
        var pixels = new float[batch * input.Channels * input.Height * input.Width];
        var random = new Random(0);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (var i = 0; i < 3; i++)
        {
            encoder.Embed(pixels, batch);
        }

        var latencies = new List<double>[callers];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, c =>
        {
            latencies[c] = [];
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var start = clock.Elapsed.TotalMilliseconds;
                encoder.Embed(pixels, batch);
                latencies[c].Add(clock.Elapsed.TotalMilliseconds - start);
            }
        });
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        var table = new Table().AddColumns("model", "provider", "batch", "callers", "embeddings/s", "p50 ms", "p99 ms", "RSS MiB");
        table.AddRow(
            $"{encoder.Card.Name}@{encoder.Card.Version}", encoder.Provider.Name, $"{batch}", $"{callers}",
            $"{all.Length * batch / elapsed:F0}", $"{Percentile(0.5):F1}", $"{Percentile(0.99):F1}", $"{Environment.WorkingSet / 1048576.0:F0}");
        AnsiConsole.Write(table);
    }
}
