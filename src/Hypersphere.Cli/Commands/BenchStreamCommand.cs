using System.CommandLine;
using System.Diagnostics;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere bench stream</c>: exact uniformity of a temporary float32 <c>.npy</c> file read memory-mapped, in pairs/s,
/// against the same kernel on rows held in memory (a subset that fits), in one run. The file is deleted afterwards.
/// </summary>
internal static class BenchStreamCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Rows of the temporary file", DefaultValueFactory = _ => 200_000 };
        var dim = new Option<int>("--dim") { Description = "Dimension", DefaultValueFactory = _ => 128 };
        var subset = new Option<int>("--subset") { Description = "Rows of the in-memory comparison", DefaultValueFactory = _ => 16_384 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs of the in-memory comparison (the median is reported; the file is timed once)", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var precision = new Option<string>("--precision") { Description = "Kernel: single or double", DefaultValueFactory = _ => "single" };
        precision.AcceptOnlyFromAmong("single", "double");
        var folder = new Option<DirectoryInfo>("--temp") { Description = "Folder for the temporary file", DefaultValueFactory = _ => new DirectoryInfo(Path.GetTempPath()) };
        var command = new Command("stream", "Exact uniformity streamed from a memory-mapped .npy file vs the same kernel in memory (pairs/s)")
        {
            n, dim, subset, repeats, threads, precision, folder,
        };
        command.SetAction(parse => CommandErrors.Run(() => Run(
            parse.GetValue(n), parse.GetValue(dim), parse.GetValue(subset), parse.GetValue(repeats), parse.GetValue(threads),
            parse.GetValue(precision) == "double" ? KernelPrecision.Double : KernelPrecision.Single, parse.GetValue(folder)!.FullName)));
        return command;
    }

    private static int Run(int n, int dim, int subset, int repeats, int threads, KernelPrecision precision, string folder)
    {
        var path = Path.Combine(folder, $"hypersphere-bench-stream-{Environment.ProcessId}.npy");
        try
        {
            var data = SpherePoints.Uniform(n, dim, seed: 0);
            NpyFile.Write(path, data, n, dim);
            var inMemory = EmbeddingMatrix.Create(data.AsSpan(0, subset * dim), subset, dim, normalize: false);
            data = null;
            var (memorySeconds, _) = BenchCommand.Median(() => Uniformity.Compute(inMemory, 2, threads, precision), repeats);
            var memoryPairs = (double)subset * (subset - 1) / 2;

            using var ctrlC = CtrlC.Listen();
            var clock = Stopwatch.StartNew();
            using var mapped = MappedEmbeddings.TryOpen(path, normalize: false, "embeddings", ctrlC.Token)!;
            var openSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var value = Uniformity.Compute(mapped, 2, threads, precision, cancellationToken: ctrlC.Token);
            var fileSeconds = clock.Elapsed.TotalSeconds;
            var filePairs = (double)n * (n - 1) / 2;

            var table = new Table().AddColumns("rows from", "N", "s", "pairs/s", "uniformity");
            table.AddRow("memory-mapped file", n.ToString("N0", BenchCommand.Invariant), BenchCommand.F(fileSeconds), BenchCommand.Rate(filePairs, fileSeconds), BenchCommand.F(value));
            table.AddRow("memory (subset)", subset.ToString("N0", BenchCommand.Invariant), BenchCommand.F(memorySeconds), BenchCommand.Rate(memoryPairs, memorySeconds), string.Empty);
            AnsiConsole.MarkupLine($"exact uniformity, d = {dim}, t = 2, {precision.ToString().ToLowerInvariant()} kernel, {threads} threads; opening and validating the file: {openSeconds:F2} s");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"streamed throughput: [bold]{filePairs / fileSeconds / (memoryPairs / memorySeconds):P1}[/] of in memory");
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
