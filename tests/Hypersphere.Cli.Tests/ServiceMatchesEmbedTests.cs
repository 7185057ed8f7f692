extern alias service;

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hypersphere.Core.IO;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// The promise "service embeddings equal <c>hypersphere embed</c> on the same inputs", on a shipped model and
/// real Fashion-MNIST test images: the real CLI (a child process) embeds a folder of PNG files and an IDX file of the
/// same images; the real service (Program, hosted in this process) embeds the same PNG files sent as base64, in
/// requests of different sizes with dynamic batching, in both encoding formats. Rows must agree to 1e-6, in input order,
/// with unit norms.
/// </summary>
public sealed class ServiceMatchesEmbedTests : IDisposable
{
    private const string Model = "fmnist-align-uniform", Version = "2";
    private const string DataDir = "/usr/share/datasets/fashion-mnist";
    private const int Count = 48, Side = 28;
    private const double MaxDifference = 1e-6, NormTolerance = 1e-5;

    private readonly TempFolder _temp = new();
    private readonly ITestOutputHelper _output;

    public ServiceMatchesEmbedTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ServiceEmbeddingsEqualEmbedOnTheSameFashionMnistImages()
    {
        var images = FirstTestImages();
        var pngs = images.Select(image => PngWriter.Gray(image, Side, Side)).ToArray();

        // Zero-padded names, so the folder's ordinal name order (EmbeddingInputs: "in ordinal name order") is image
        // order; written in a shuffled order, so the order of creation (what a directory listing may follow) is not.
        var folder = _temp.Folder("images");
        foreach (var i in Enumerable.Range(0, Count).OrderBy(i => (i * 29) % Count))
        {
            File.WriteAllBytes(Path.Combine(folder, $"fmnist-test-{i:D3}.png"), pngs[i]);
        }

        var idx = _temp.File("images.idx3-ubyte.gz");
        IdxWriter.WriteImages(idx, images.SelectMany(image => image).ToArray(), Count, Side, Side, gzip: true);

        var modelFolder = Path.Combine(Repository.Root, "models", Model, Version);
        var fromFolder = Embed(modelFolder, folder, "folder.npy");
        var fromIdx = Embed(modelFolder, idx, "idx.npy", "--batch", "5"); // ten ONNX runs, the last of 3 images
        AssertDistinctRows(fromFolder);

        await using var host = new ServiceHost(Path.Combine(Repository.Root, "models"));
        using var http = host.CreateClient();
        await WaitForReady(http);

        // One request of all 48 images (three runs of at most 16), then three requests of 5, 19 and 24 sent together,
        // which the batcher may cut and merge across requests; the first of them as data URLs.
        var asFloats = await Embeddings(http, pngs.Select(Convert.ToBase64String), "float");
        var chunks = new[] { (0, 5), (5, 19), (24, 24) };
        var answers = await Task.WhenAll(chunks.Select(c => Embeddings(
            http, pngs.Skip(c.Item1).Take(c.Item2).Select(p => (c.Item1 == 0 ? "data:image/png;base64," : string.Empty) + Convert.ToBase64String(p)), "base64")));
        var asBase64 = answers.SelectMany(rows => rows).ToArray();

        var report = new StringBuilder();
        foreach (var (name, rows) in new[] { ("embed on the IDX file", fromIdx), ("service, float", asFloats), ("service, base64", asBase64) })
        {
            Assert.Equal(Count, rows.Length);
            var worst = 0.0;
            for (var i = 0; i < Count; i++)
            {
                Assert.Equal(fromFolder[i].Length, rows[i].Length);
                var difference = MaxAbsDifference(fromFolder[i], rows[i]);
                Assert.True(difference <= MaxDifference, $"{name}: row {i} differs from embed on the folder by {difference:G3} (max abs)");
                worst = Math.Max(worst, difference);
            }

            report.Append(CultureInfo.InvariantCulture, $"{name}: max abs difference {worst:G3}; ");
        }

        foreach (var (name, rows) in new[] { ("embed on the folder", fromFolder), ("embed on the IDX file", fromIdx), ("service, float", asFloats), ("service, base64", asBase64) })
        {
            for (var i = 0; i < Count; i++)
            {
                var norm = Math.Sqrt(rows[i].Sum(v => v * v));
                Assert.True(Math.Abs(norm - 1) <= NormTolerance, $"{name}: row {i} has norm {norm:R}");
            }
        }

        _output.WriteLine(report.ToString()); // shown by `dotnet test --logger "console;verbosity=detailed"`
    }

    /// <summary>Runs <c>hypersphere embed</c> on the CPU (as the service here) and reads the .npy it writes.</summary>
    private double[][] Embed(string modelFolder, string input, string output, params string[] more)
    {
        var npy = _temp.File(output);
        var (code, stdout, stderr) = CliProcess.Run(["embed", "--model", modelFolder, "--input", input, "--out", npy, "--provider", "cpu", .. more]);
        Assert.True(code == 0, $"embed failed ({code}): {stderr}");
        using (var summary = JsonDocument.Parse(stdout))
        {
            Assert.Equal($"{Model}@{Version}", summary.RootElement.GetProperty("model").GetString());
            Assert.Equal(Count, summary.RootElement.GetProperty("count").GetInt32());
        }

        var matrix = NpyFile.ReadMatrix(npy);
        Assert.Equal(Count, matrix.Rows);
        Assert.Equal(128, matrix.Cols);
        return Enumerable.Range(0, matrix.Rows).Select(r => matrix.Values.AsSpan(r * matrix.Cols, matrix.Cols).ToArray()).ToArray();
    }

    /// <summary>POSTs the items to /v1/embeddings and returns the rows, checking the answer's model and indices.</summary>
    private static async Task<double[][]> Embeddings(HttpClient http, IEnumerable<string> items, string encoding)
    {
        var input = items.ToArray();
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["input"] = input, ["model"] = $"{Model}@{Version}", ["encoding_format"] = encoding });
        using var response = await http.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        var answer = JsonNode.Parse(text)!;
        Assert.Equal($"{Model}@{Version}", (string?)answer["model"]);
        var data = answer["data"]!.AsArray();
        Assert.Equal(input.Length, data.Count);
        var rows = new double[input.Length][];
        for (var i = 0; i < data.Count; i++)
        {
            Assert.Equal(i, (int)data[i]!["index"]!);
            var embedding = data[i]!["embedding"]!;
            rows[i] = encoding == "base64" ? LittleEndianFloats(Convert.FromBase64String((string)embedding!)) : embedding.AsArray().Select(v => (double)(float)v!).ToArray();
        }

        return rows;
    }

    private static double[] LittleEndianFloats(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / sizeof(float)).Select(j => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(j * sizeof(float)))).ToArray();

    private static double MaxAbsDifference(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>Rows of different images must differ by far more than the tolerance, or a swap of rows would pass.</summary>
    private static void AssertDistinctRows(double[][] rows)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = i + 1; j < rows.Length; j++)
            {
                Assert.True(MaxAbsDifference(rows[i], rows[j]) > 1000 * MaxDifference, $"rows {i} and {j} are nearly equal: the order test would be blind");
            }
        }
    }

    /// <summary>The first <see cref="Count"/> images of Fashion-MNIST's test split, read by hand (not by the repository's reader).</summary>
    private static byte[][] FirstTestImages()
    {
        var path = Path.Combine(DataDir, "t10k-images-idx3-ubyte.gz");
        if (!File.Exists(path))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"{path} is missing on CI");
            Skip.If(true, $"{path} is missing; apt-get install dataset-fashion-mnist");
        }

        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[16];
        gzip.ReadExactly(header);
        Assert.Equal(IdxWriter.ImagesMagic, BinaryPrimitives.ReadInt32BigEndian(header));
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)) >= Count);
        Assert.Equal(Side, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8)));
        Assert.Equal(Side, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(12)));
        var images = new byte[Count][];
        for (var i = 0; i < Count; i++)
        {
            images[i] = new byte[Side * Side];
            gzip.ReadExactly(images[i]);
        }

        return images;
    }

    private static async Task WaitForReady(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the service was not ready within 60 s: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The real service (its Program, aliased: the CLI's top-level Program is global::Program too) over the shipped
    /// models, on the CPU, with batches of at most 16 images and the folder watcher off.
    /// </summary>
    private sealed class ServiceHost(string modelsRoot) : WebApplicationFactory<service::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Hypersphere:ModelsPath"] = modelsRoot,
                ["Hypersphere:ExecutionProvider"] = "cpu",
                ["Hypersphere:IntraOpThreads"] = "1",
                ["Hypersphere:MaxBatchSize"] = "16",
                ["Hypersphere:ModelWatch"] = "off",
                ["Logging:LogLevel:Default"] = "Warning", // appsettings.json's Information would win over a minimum level
            }));
        }
    }
}
