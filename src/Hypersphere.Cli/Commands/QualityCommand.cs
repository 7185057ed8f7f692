using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hypersphere.Cli.Reporting;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;

namespace Hypersphere.Cli.Commands;

/// <summary>
/// <c>hypersphere quality</c>: alignment, uniformity and collapse diagnostics of embedding files; with <c>--shard i/k
/// --partial P</c> one machine's share of the exact uniformity pass, and <c>quality merge P…</c> the exact result of all shares.
/// </summary>
internal static class QualityCommand
{
    public static Command Create()
    {
        var inputs = new QualityInputOptions(embeddingsRequired: true);
        var progress = new Option<bool>("--progress")
        {
            Description = "Show the exact pass's progress on stderr even when stderr is not a terminal (on a terminal it is always shown)",
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Compute only shard i of k of the exact uniformity pass (0 ≤ i < k; shards hold equal pair counts) and write its partial state to --partial; combine with 'quality merge'",
            HelpName = "i/k",
        };
        var partial = new Option<FileInfo?>("--partial") { Description = "Where --shard writes its partial state (JSON, written atomically)" };
        var command = new Command("quality", "Measure alignment, uniformity, RankMe and collapse of a batch of embeddings; prints JSON. .npy files are memory-mapped and read in blocks, so they may exceed memory");
        foreach (var option in inputs.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(progress);
        command.Options.Add(shard);
        command.Options.Add(partial);
        command.Subcommands.Add(CreateMerge());
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var ctrlC = CtrlC.Listen();
            if (parse.GetValue(shard) is { } spec)
            {
                RunShard(parse, inputs, spec, parse.GetValue(partial), parse.GetValue(progress), ctrlC.Token);
                return 0;
            }

            if (parse.GetValue(partial) is not null)
            {
                throw new HypersphereException(ErrorKind.BadRequest, "--partial is written by a shard; give --shard i/k with it");
            }

            using var loaded = PassProgress.Run("exact uniformity", parse.GetValue(progress), bar => inputs.Load(parse, stream: true, bar, ctrlC.Token));
            Console.Out.WriteLine(QualityJson.Serialize(loaded.Report));
            return 0;
        }));
        return command;
    }

    /// <summary><c>quality merge P…</c>: checks the partials fit together and prints the exact uniformity as JSON.</summary>
    private static Command CreateMerge()
    {
        var files = new Argument<FileSystemInfo[]>("partials")
        {
            Description = "The k partial files the shards wrote (each shard once), or a folder whose partial-*.json files they are",
            Arity = ArgumentArity.OneOrMore,
        };
        var merge = new Command("merge", "Merge the partial files of 'quality --shard i/k' into the exact uniformity; prints JSON");
        merge.Arguments.Add(files);
        merge.SetAction(parse => CommandErrors.Run(() =>
        {
            var partials = parse.GetValue(files)!
                .SelectMany<FileSystemInfo, FileSystemInfo>(f => f is DirectoryInfo folder ? PartialsIn(folder) : [f])
                .Select(f => UniformityPartial.Parse(File.ReadAllBytes(f.FullName), f.Name))
                .ToList();
            var merged = Uniformity.Merge(partials);
            var result = new MergedUniformity(merged.N, merged.Dim, merged.T, "exact", merged.Precision, merged.Pairs, merged.Uniformity, merged.Shards, merged.Sha256);
            Console.Out.WriteLine(JsonSerializer.Serialize(result, SnakeCaseJson.Indented));
            return 0;
        }));
        return merge;
    }

    /// <summary>The <c>partial-*.json</c> files of a folder the shards wrote into, by name.</summary>
    private static List<FileInfo> PartialsIn(DirectoryInfo folder)
    {
        var files = folder.EnumerateFiles("partial-*.json").OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        return files.Count > 0
            ? files
            : throw new HypersphereException(ErrorKind.NotFound, $"folder '{folder.Name}' holds no partial-*.json files; expected the partials the shards wrote there");
    }

    /// <summary>Computes shard i/k of the exact uniformity of <c>--embeddings</c> and writes its partial state.</summary>
    private static void RunShard(ParseResult parse, QualityInputOptions inputs, string spec, FileInfo? partial, bool progress, CancellationToken cancellationToken)
    {
        if (partial is null)
        {
            throw new HypersphereException(ErrorKind.BadRequest, "--shard needs --partial, the file its partial state is written to");
        }

        var others = new Option[] { inputs.Positives, inputs.Labels, inputs.SamplePairs, inputs.Error }.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (others.Count > 0)
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"--shard computes exact uniformity only; {string.Join(", ", others)} cannot be given with it");
        }

        var (shard, shards) = ParseShard(spec);
        var path = parse.GetValue(inputs.Embeddings)!.FullName;
        var normalize = parse.GetValue(inputs.Normalize);
        var (rows, defaultPrecision) = QualityInputs.LoadRows(path, normalize, "embeddings", stream: true, cancellationToken);
        try
        {
            string sha256;
            using (var stream = File.OpenRead(path))
            {
                sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            }

            var precision = parse.GetValue(inputs.Precision) switch { "single" => KernelPrecision.Single, "double" => KernelPrecision.Double, _ => defaultPrecision };
            var result = PassProgress.Run($"uniformity shard {shard}/{shards}", progress, bar =>
                Uniformity.ComputeShard(rows, sha256, normalize, parse.GetValue(inputs.T), shard, shards, precision, progress: bar, cancellationToken: cancellationToken));
            AtomicFile.Write(partial.FullName, result.ToJson());
            var blocks = result.Blocks.Count == 0 ? "no row blocks" : $"row blocks {result.Blocks[0].Block}–{result.Blocks[^1].Block}";
            Console.Error.WriteLine($"shard {shard}/{shards}: {blocks}, {result.Blocks.Sum(b => b.Pairs):N0} pairs → {partial.Name}");
        }
        finally
        {
            (rows as IDisposable)?.Dispose();
        }
    }

    /// <summary>Reads <c>i/k</c>.</summary>
    private static (int Shard, int Shards) ParseShard(string spec)
    {
        var parts = spec.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            && k >= 1 && i < k)
        {
            return (i, k);
        }

        throw new HypersphereException(ErrorKind.InvalidInput, $"--shard '{spec}' is not a shard; expected i/k with k ≥ 1 and 0 ≤ i < k, such as 0/4");
    }

    /// <summary>What <c>quality merge</c> prints.</summary>
    private sealed record MergedUniformity(int N, int Dim, double T, string Estimator, KernelPrecision Precision, long Pairs, double Uniformity, int ShardsMerged, string Sha256);
}
