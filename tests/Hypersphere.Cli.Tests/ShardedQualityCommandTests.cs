using System.Diagnostics;
using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// <c>quality --shard i/k --partial P</c> run as separate processes and <c>quality merge</c>: the merged value is the
/// unsharded <c>quality</c> run's, and every way the parts can fail to fit together is named in one line.
/// </summary>
public sealed class ShardedQualityCommandTests
{
    private const int N = 3000;

    [Fact]
    public async Task FourShardsRunAsProcessesMergeToTheUnshardedUniformity()
    {
        using var folder = new TempFolder();
        var path = Embeddings(folder, "x.npy", seed: 1);
        var partials = await RunShards(path, folder, 4);

        var (code, stdout, stderr) = CliProcess.Run(["quality", "merge", .. partials]);
        Assert.True(code == 0, stderr);
        var merged = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(stdout, CliProcess.Run("quality", "merge", folder.Path).Stdout); // the folder's partial-*.json, as the chart's merge pod passes them
        var (qualityCode, quality, qualityErrors) = CliProcess.Run("quality", "--embeddings", path);
        Assert.True(qualityCode == 0, qualityErrors);
        var reference = JsonDocument.Parse(quality).RootElement.GetProperty("uniformity").GetDouble();

        var value = merged.GetProperty("uniformity").GetDouble();
        Assert.InRange(Math.Abs(value - reference), 0, 1e-12 * Math.Abs(reference));
        Assert.Equal("exact", merged.GetProperty("estimator").GetString());
        Assert.Equal((long)N * (N - 1) / 2, merged.GetProperty("pairs").GetInt64());
        Assert.Equal(N, merged.GetProperty("n").GetInt32());
        Assert.Equal(16, merged.GetProperty("dim").GetInt32());
        Assert.Equal(2, merged.GetProperty("t").GetDouble());
        Assert.Equal(4, merged.GetProperty("shards_merged").GetInt32());

        // Balanced by pairs, not rows: each shard holds a quarter of the pairs, up to one 128-row block's (≤ 128·N).
        foreach (var p in partials)
        {
            var pairs = JsonDocument.Parse(File.ReadAllBytes(p)).RootElement.GetProperty("blocks").EnumerateArray().Sum(b => b.GetProperty("pairs").GetInt64());
            Assert.InRange(pairs, ((long)N * (N - 1) / 8) - (128L * N), ((long)N * (N - 1) / 8) + (128L * N));
        }
    }

    [Fact]
    public async Task MergeRefusesPartsThatDoNotFitTogetherInOneLineSayingWhatWasExpected()
    {
        using var folder = new TempFolder();
        var path = Embeddings(folder, "x.npy", seed: 1);
        var p = await RunShards(path, folder, 4);

        Fails("shard 2 of 4 is missing", p[0], p[1], p[3]);
        Fails("shard 1 of 4 is given twice", p[0], p[1], p[1], p[2], p[3]);

        var other = Embeddings(folder, "y.npy", seed: 2);
        Fails("sha256", p[0], p[1], p[2], Shard(other, folder, "3/4"));
        Fails("has t 1", p[0], p[1], p[2], Shard(path, folder, "3/4", "--t", "1"));
        Fails("has shard count 2", p[0], p[1], p[2], p[3], Shard(path, folder, "1/2"));

        var broken = folder.File("broken.json");
        File.WriteAllText(broken, "{ \"format_version\": 1, ");
        Fails("is not a valid uniformity partial", p[0], p[1], p[2], broken);
        var future = folder.File("future.json");
        File.WriteAllText(future, File.ReadAllText(p[3]).Replace("\"format_version\":1", "\"format_version\":2", StringComparison.Ordinal));
        Fails("format_version 2", p[0], p[1], p[2], future);

        Fails("holds no partial-*.json files", folder.Folder("empty"));

        var (code, _, stderr) = CliProcess.Run("quality", "--embeddings", path, "--shard", "4/4", "--partial", folder.File("z.json"));
        Assert.NotEqual(0, code);
        Assert.Contains("expected i/k", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("z.json")));
    }

    private static void Fails(string expected, params string[] partials)
    {
        var (code, stdout, stderr) = CliProcess.Run(["quality", "merge", .. partials]);
        Assert.NotEqual(0, code);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    private static string Embeddings(TempFolder folder, string name, int seed)
    {
        var path = folder.File(name);
        NpyFile.Write(path, Core.Embeddings.SpherePoints.Uniform(N, 16, seed), N, 16);
        return path;
    }

    private static string Shard(string path, TempFolder folder, string spec, params string[] options)
    {
        var partial = folder.File($"extra-{spec.Replace('/', '-')}-{options.Length}.json");
        var (code, _, stderr) = CliProcess.Run(["quality", "--embeddings", path, "--shard", spec, "--partial", partial, .. options]);
        Assert.True(code == 0, stderr);
        return partial;
    }

    /// <summary>Runs the k shards as k concurrent processes, as k pods would.</summary>
    private static async Task<string[]> RunShards(string path, TempFolder folder, int k)
    {
        var partials = Enumerable.Range(0, k).Select(i => folder.File($"partial-{i}.json")).ToArray();
        var processes = Enumerable.Range(0, k).Select(i =>
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "hypersphere.dll"), "quality", "--embeddings", path, "--shard", $"{i}/{k}", "--partial", partials[i] })
            {
                start.ArgumentList.Add(a);
            }

            return Process.Start(start)!;
        }).ToList();
        foreach (var process in processes)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr);
            Assert.Empty(stdout);
            process.Dispose();
        }

        return partials;
    }
}
