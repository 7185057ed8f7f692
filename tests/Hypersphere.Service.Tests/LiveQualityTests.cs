using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;
using Hypersphere.Inference;
using Hypersphere.Service.Monitoring;
using Hypersphere.Service.Tests.Browser;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hypersphere.Service.Tests;

/// <summary>
/// Live quality (docs/architecture.md §5 "Live quality"): the window of served embeddings, its background report,
/// the <c>hypersphere_live_*</c> gauges and <c>GET /v1/models/{model}/quality</c>. Uniformity is checked against a
/// computation written here from the paper's formula on the embeddings the service returned, and the whole report
/// against <c>POST /v1/quality</c> on the same rows.
/// </summary>
public sealed class LiveQualityTests : IClassFixture<ToyModels>, IDisposable
{
    private const string Npy = "application/x-npy";
    private const string AlignUniform = "fmnist-align-uniform@2", Contrastive = "fmnist-contrastive@2";
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public LiveQualityTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AWindowFilledWithFashionMnistEmbeddingsReportsTheirUniformityAndTheSameImageAgainIsCollapsed()
    {
        const int Window = 200;
        var shipped = Repository.PathOf("models");
        Assert.True(File.Exists(Path.Combine(shipped, "fmnist-align-uniform", "2", "model.onnx")), "the shipped models are missing from models/");
        await using var factory = new ServiceFactory(shipped, new Dictionary<string, string?>
        {
            ["Hypersphere:LiveQualityWindow"] = $"{Window}",
            ["Hypersphere:LiveQualityIntervalSeconds"] = "1",
        });
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        using var http = new HttpClient { BaseAddress = new Uri(factory.Services.ListeningAddress()), Timeout = TimeSpan.FromSeconds(120) };

        await Http.Problem(await http.GetAsync($"/v1/models/{AlignUniform}/quality"), 409, AlignUniform, "served no embeddings");
        await Http.Problem(await http.GetAsync("/v1/models/no-such-model@1/quality"), 404, "'no-such-model' is not served here");
        await Http.Problem(await http.GetAsync("/v1/models/fmnist-align-uniform@9/quality"), 404, "has no version '9'", "[1, 2]");

        // 200 real test images in one request (run in several batches): the window holds exactly what the service
        // answered. (Rows offered while the monitor copies the window are dropped, so a window filled over several
        // requests may miss some: a sample, by design.)
        var (pixels, _) = PageServer.TestImages(Window);
        var rows = await EmbedNpy(http, AlignUniform, pixels, Window);

        // The same image again and again, to the other model.
        var same = Enumerable.Range(0, Window).SelectMany(_ => pixels.AsSpan(0, 784).ToArray()).ToArray();
        var collapsedRows = await EmbedNpy(http, Contrastive, same, Window);

        var live = await WaitForReport(http, AlignUniform, Window);
        var report = live["report"]!;
        Assert.Equal(AlignUniform, (string?)live["model"]);
        Assert.Equal(Window, (int)live["window_capacity"]!);
        Assert.Equal(1.0, (double)live["sample_fraction"]!);
        Assert.Equal(0, (long)live["dropped_offers"]!); // one request, one offer: nothing competed for the window
        Assert.True(DateTimeOffset.Parse((string)live["sampling_started"]!) <= DateTimeOffset.Parse((string)live["computed_at"]!));
        var uniformity = (double)report["uniformity"]!;
        Assert.True(Math.Abs(uniformity - Uniformity(rows)) <= 1e-6, $"live {uniformity} vs independent {Uniformity(rows)}");
        Assert.Equal("healthy", (string?)report["verdict"]!["status"]);
        var card = ModelCardFile.Read(Path.Combine(shipped, "fmnist-align-uniform", "2", ModelCard.FileName));
        Assert.Equal(card.Evaluation!.Uniformity, (double)live["card"]!["uniformity"]!);
        Assert.Equal(uniformity - card.Evaluation.Uniformity, (double)live["uniformity_drift"]!, 12);

        // Exactly POST /v1/quality's report of the same rows, sent as a float32 .npy form (no rounding on the way).
        var audit = await Http.OkJson(await http.PostAsync("/v1/quality", Form(rows)));
        Assert.True(JsonNode.DeepEquals(audit, report), $"live report\n{report}\ndiffers from /v1/quality's\n{audit}");

        var collapsed = await WaitForReport(http, Contrastive, Window);
        Assert.True(Math.Abs(Uniformity(collapsedRows)) <= 1e-6, $"the same image gave uniformity {Uniformity(collapsedRows)}, not 0");
        Assert.True(Math.Abs((double)collapsed["report"]!["uniformity"]! - Uniformity(collapsedRows)) <= 1e-6);
        Assert.Equal("collapsed", (string?)collapsed["report"]!["verdict"]!["status"]);

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(uniformity, Gauge(metrics, "hypersphere_live_uniformity", AlignUniform), 12);
        Assert.Equal((double)report["mean_cosine"]!, Gauge(metrics, "hypersphere_live_mean_cosine", AlignUniform), 12);
        Assert.Equal((double)report["rank_me"]!, Gauge(metrics, "hypersphere_live_rank_me", AlignUniform), 12);
        Assert.Equal((double)report["std_sqrt_d"]!, Gauge(metrics, "hypersphere_live_std_sqrt_d", AlignUniform), 12);
        Assert.Equal((double)live["uniformity_drift"]!, Gauge(metrics, "hypersphere_live_uniformity_drift", AlignUniform), 12);
        Assert.Equal(Window, Gauge(metrics, "hypersphere_live_window_size", AlignUniform));
        Assert.Equal(0, Gauge(metrics, "hypersphere_live_collapsed", AlignUniform));
        Assert.Equal(1, Gauge(metrics, "hypersphere_live_collapsed", Contrastive));
        Assert.Contains("# TYPE hypersphere_live_alignment gauge", metrics, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ARealPrometheusScrapesTheLiveUniformityOfTheEmbeddingsTheServiceReturned()
    {
        const int Window = 200;
        await using var factory = new ServiceFactory(Repository.PathOf("models"), new Dictionary<string, string?>
        {
            ["Hypersphere:LiveQualityWindow"] = $"{Window}",
            ["Hypersphere:LiveQualityIntervalSeconds"] = "1",
        });
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        var address = factory.Services.ListeningAddress();
        await using var prometheus = await PrometheusServer.StartAsync(new Uri(address + "/metrics"));
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) };
        var query = $"hypersphere_live_uniformity{{job=\"{PrometheusServer.Job}\", model=\"{AlignUniform}\"}}";

        Assert.Equal(1, await prometheus.WaitForSampleAsync($"sum(up{{job=\"{PrometheusServer.Job}\"}})", v => v == 1, TimeSpan.FromSeconds(30)));
        Assert.Null(await prometheus.QueryAsync(query)); // nothing served yet: no series
        var (pixels, _) = PageServer.TestImages(Window);
        var rows = await EmbedNpy(http, AlignUniform, pixels, Window);
        var expected = Uniformity(rows);

        var scraped = await prometheus.WaitForSampleAsync(query, v => Math.Abs(v - expected) <= 1e-6, TimeSpan.FromSeconds(60));
        Assert.True(Math.Abs(scraped - expected) <= 1e-6, $"Prometheus has {scraped}, the paper's formula on the returned embeddings {expected}");
        Assert.Equal(Window, await prometheus.QueryAsync($"hypersphere_live_window_size{{model=\"{AlignUniform}\"}}"));
        Assert.Equal(0, await prometheus.QueryAsync($"hypersphere_live_collapsed{{model=\"{AlignUniform}\"}}"));
    }

    [Fact]
    public async Task LiveAlignmentIsTheAlignmentOfTheServedImagesViewsRebuiltAndEmbeddedHere()
    {
        // Every image is sampled (fraction 1) and both generators are seeded, so the test can make the same two views of
        // each image with the trainer's recipe, embed them with its own ONNX Runtime session, and compute alignment.
        const int Images = 40;
        var folder = Repository.PathOf("models", "fmnist-align-uniform", "2");
        await using var factory = new ServiceFactory(
            Repository.PathOf("models"),
            new Dictionary<string, string?>
            {
                ["Hypersphere:LiveQualityWindow"] = "64",
                ["Hypersphere:LiveQualityIntervalSeconds"] = "1",
                ["Hypersphere:LiveAlignmentSampleFraction"] = "1",
            },
            services => services.AddSingleton<LiveRandom>(() => new Random(42)));
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        using var http = new HttpClient { BaseAddress = new Uri(factory.Services.ListeningAddress()), Timeout = TimeSpan.FromSeconds(120) };
        var (pixels, _) = PageServer.TestImages(Images);
        await EmbedNpy(http, AlignUniform, pixels, Images);

        JsonNode? alignment = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); alignment is null && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var response = await http.GetAsync($"/v1/models/{AlignUniform}/quality");
            alignment = response.IsSuccessStatusCode ? (await Http.OkJson(response))["live_alignment"] : null;
        }

        Assert.NotNull(alignment);
        Assert.Equal(Images, (int)alignment["pairs"]!);
        var live = (double)alignment["alignment"]!;

        using var encoder = OnnxEncoder.Open(folder, new EncoderOptions(ExecutionProviderChoice.Cpu));
        var preprocessor = new ImagePreprocessor(encoder.Card.Input);
        var augmenter = Hypersphere.Inference.Augmentation.PixelViewAugmenter.For(encoder.Card);
        var size = encoder.ImageSize;
        var views = new float[2 * Images * size];
        var random = new Random(42);
        var image = new float[size];
        for (var i = 0; i < Images; i++)
        {
            preprocessor.FromPlanes(pixels.AsSpan(i * 784, 784), 1, 28, 28, image);
            augmenter.Augment(image, views.AsSpan(i * size, size), random);
            augmenter.Augment(image, views.AsSpan((Images + i) * size, size), random);
        }

        var embedded = encoder.Embed(views, 2 * Images);
        var dim = encoder.Card.EmbeddingDim;
        var sum = 0.0;
        for (var i = 0; i < Images; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                var d = (double)embedded[(i * dim) + k] - embedded[((Images + i) * dim) + k];
                sum += d * d;
            }
        }

        var expected = sum / Images;
        Assert.True(Math.Abs(live - expected) <= 1e-5, $"live alignment {live}, rebuilt here {expected}");
        Assert.InRange(live, 0.05, 1.0); // views of one image lie close together, far closer than random pairs (2)
        Assert.Equal(live, Gauge(await http.GetStringAsync("/metrics"), "hypersphere_live_alignment", AlignUniform), 12);
    }

    [SkippableFact]
    public async Task AFailingAnalyzerNeverHoldsUpOrFailsARequestAndIsLoggedOnceAMinute()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        var calls = 0;
        using var stuck = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var log = new CapturingLogger();
        await using var factory = new ServiceFactory(
            root,
            new Dictionary<string, string?> { ["Hypersphere:LiveQualityWindow"] = "8", ["Hypersphere:LiveQualityIntervalSeconds"] = "1" },
            services =>
            {
                services.AddSingleton<LiveAnalyzer>((_, _) =>
                {
                    Interlocked.Increment(ref calls);
                    entered.Release();
                    stuck.Wait(TimeSpan.FromSeconds(60));
                    throw new InvalidOperationException("the analyzer broke");
                });
                services.AddSingleton<ILoggerProvider>(log);
            });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(2, 0) })));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)), "the analyzer never ran");
        // The analyzer is stuck in its report: requests are answered all the same.
        for (var i = 0; i < 10; i++)
        {
            await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(3, i + 1) })));
        }

        await Http.Problem(await client.GetAsync("/v1/models/toy@1/quality"), 409, "toy@1", "holds 8 rows");
        stuck.Set();
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(1, 99) })));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)), "the analyzer did not run again on the changed window");
        await WaitUntil(() => log.Entries.Any(e => e.Contains("could not be computed", StringComparison.Ordinal)));
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(1, 100) })));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)), "the analyzer did not run a third time"); // so the second has failed by now

        var entries = log.Entries.Where(e => e.Contains("Live quality", StringComparison.Ordinal)).ToArray();
        Assert.True(calls >= 3, $"{calls} analyses");
        var entry = Assert.Single(entries); // the second failure within the minute is held back
        Assert.Contains("toy@1", entry, StringComparison.Ordinal);
        Assert.Contains("the analyzer broke", entry, StringComparison.Ordinal);
        Assert.DoesNotContain("hypersphere_live_uniformity{", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AReloadStartsAFreshWindowAndARemovedVersionLosesItsWindowAndGauges()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(
            root, new Dictionary<string, string?> { ["Hypersphere:LiveQualityWindow"] = "16", ["Hypersphere:LiveQualityIntervalSeconds"] = "1" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(4, 0) })));
        Assert.Equal(4, (int)(await WaitForReport(client, "toy@1", 4))["window_size"]!);
        Assert.Equal(4, Gauge(await client.GetStringAsync("/metrics"), "hypersphere_live_window_size", "toy@1"));

        // The same version with new weights: a new session, a fresh window; the old one's numbers are gone.
        _toys.WriteVersion(root, "toy", "1", seed: 2);
        Assert.Equal("toy@1", (string?)(await Http.OkJson(await client.PostAsync("/admin/reload", null)))["reloaded"]![0]);
        await Http.Problem(await client.GetAsync("/v1/models/toy@1/quality"), 409, "served no embeddings");
        Assert.DoesNotContain("model=\"toy@1\"", LiveLines(await client.GetStringAsync("/metrics")), StringComparison.Ordinal);
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(2, 5) })));
        Assert.Equal(2, (int)(await WaitForReport(client, "toy@1", 2))["report"]!["n"]!);

        // A new version serves; the removed one has no window, no route and no series.
        _toys.WriteVersion(root, "toy", "2", seed: 2);
        Directory.Delete(Path.Combine(root, "toy", "1"), recursive: true);
        var report = await Http.OkJson(await client.PostAsync("/admin/reload", null));
        Assert.Equal("toy@1", (string?)report["removed"]![0]);
        await Http.Problem(await client.GetAsync("/v1/models/toy@1/quality"), 404, "has no version '1'");
        await Http.Problem(await client.GetAsync("/v1/models/toy/quality"), 409, "toy@2", "served no embeddings");
        Assert.DoesNotContain("model=\"toy@1\"", LiveLines(await client.GetStringAsync("/metrics")), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task LiveQualityOffAnswers409AndKeepsNoSeries()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:LiveQualityWindow"] = "0" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Images(4, 0) })));

        var problem = await Http.Problem(await client.GetAsync("/v1/models/toy@1/quality"), 409, "live quality is off", "Hypersphere:LiveQualityWindow");
        Assert.Equal("collecting", (string?)problem["error"]!["code"]);
        Assert.DoesNotContain(LiveLines(await client.GetStringAsync("/metrics")).Split('\n'), l => l.Length > 0 && !l.StartsWith('#'));
    }

    [Theory]
    [InlineData(0.25, 7)]
    [InlineData(0.6, 11)]
    public void AFractionKeepsExactlyTheRowsItsSeededDrawsKeepInOrder(double fraction, int seed)
    {
        const int Rows = 1000;
        var window = new LiveWindow(capacity: Rows, dim: 2, fraction, new Random(seed), DateTimeOffset.UnixEpoch);
        var values = Enumerable.Range(0, Rows).SelectMany(i => new[] { (float)Math.Cos(i), (float)Math.Sin(i) }).ToArray();
        for (var batch = 0; batch < 10; batch++)
        {
            window.Offer(values.AsSpan(batch * 200, 200), 100);
        }

        // The rule, replayed: row i is kept when the i-th draw of the same seed is below the fraction.
        var replay = new Random(seed);
        var kept = Enumerable.Range(0, Rows).Where(_ => replay.NextDouble() < fraction).ToArray();
        Assert.Equal(kept.Length, window.Count);
        var sigma = Math.Sqrt(Rows * fraction * (1 - fraction));
        Assert.InRange(kept.Length, (Rows * fraction) - (4 * sigma), (Rows * fraction) + (4 * sigma));
        var (matrix, written) = window.Snapshot()!.Value;
        Assert.Equal(kept.Length, written);
        for (var r = 0; r < kept.Length; r++)
        {
            Assert.Equal((double)(float)Math.Cos(kept[r]), matrix.Row(r)[0]);
            Assert.Equal((double)(float)Math.Sin(kept[r]), matrix.Row(r)[1]);
        }
    }

    [Fact]
    public void AFullWindowOverwritesItsOldestRowsAndNeedsTwoRowsForAReport()
    {
        var window = new LiveWindow(capacity: 3, dim: 2, 1.0, new Random(1), DateTimeOffset.UnixEpoch);
        float[] Row(int i) => [(float)Math.Cos(i), (float)Math.Sin(i)];

        window.Offer(Row(0), 1);
        Assert.Null(window.Snapshot());
        window.Offer([.. Row(1), .. Row(2), .. Row(3), .. Row(4)], 4);

        Assert.Equal(3, window.Count);
        var (matrix, written) = window.Snapshot()!.Value;
        Assert.Equal(5, written);
        // Slots 0, 1, 2 hold rows 3, 4, 2: row 0 and 1 were overwritten.
        int[] expected = [3, 4, 2];
        for (var slot = 0; slot < 3; slot++)
        {
            Assert.Equal((double)Row(expected[slot])[0], matrix.Row(slot)[0]);
        }
    }

    /// <summary>The paper's L_uniform (t = 2) of rows the service returned, computed here (<see cref="PaperFormulas"/>).</summary>
    private static double Uniformity(List<float[]> rows) => PaperFormulas.Uniformity(rows.SelectMany(r => r).ToArray(), rows.Count, rows[0].Length);

    /// <summary>Fashion-MNIST images (uint8, 28 × 28 each) embedded by <paramref name="model"/> through POST /v1/embeddings as a .npy body.</summary>
    internal static async Task<List<float[]>> EmbedNpy(HttpClient http, string model, byte[] images, int count)
    {
        var content = new ByteArrayContent(NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': ({count}, 28, 28), }}", images));
        content.Headers.ContentType = new MediaTypeHeaderValue(Npy);
        var answer = await Http.OkJson(await http.PostAsync($"/v1/embeddings?model={model}", content));
        Assert.Equal(model, (string?)answer["model"]);
        return answer["data"]!.AsArray().Select(d => Http.Floats(d!["embedding"])).ToList();
    }

    private static MultipartFormDataContent Form(List<float[]> rows)
    {
        var npy = NpyBytes.File($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Count}, {rows[0].Length}), }}", NpyBytes.Float32(rows.SelectMany(r => r)));
        var part = new ByteArrayContent(npy);
        part.Headers.ContentType = new MediaTypeHeaderValue(Npy);
        return new MultipartFormDataContent { { part, "embeddings", "embeddings.npy" } };
    }

    /// <summary>Polls the live route until its report covers <paramref name="rows"/> rows (409 meanwhile).</summary>
    internal static async Task<JsonNode> WaitForReport(HttpClient http, string model, int rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await http.GetAsync($"/v1/models/{model}/quality");
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                var live = await Http.OkJson(response);
                if ((int)live["window_size"]! == rows || DateTime.UtcNow > deadline)
                {
                    Assert.Equal(rows, (int)live["window_size"]!);
                    return live;
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                return await Http.OkJson(response);
            }
            else
            {
                await Http.Problem(response, 409);
            }

            await Task.Delay(200);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not hold within 30 s");
    }

    private static double Gauge(string metrics, string name, string model) =>
        PrometheusText.Value(metrics, $"{name}{{model=\"{model}\"}}") ?? throw new Xunit.Sdk.XunitException($"{name}{{model=\"{model}\"}} is missing:\n{LiveLines(metrics)}");

    private static string LiveLines(string metrics) => string.Join("\n", metrics.Split('\n').Where(l => l.Contains("hypersphere_live_", StringComparison.Ordinal)));

    /// <summary><paramref name="count"/> distinct toy images (C·H·W floats each).</summary>
    private static float[][] Images(int count, int offset) => Enumerable.Range(offset, count)
        .Select(i => Enumerable.Range(0, ToyModels.ImageSize).Select(k => (float)Math.Sin((0.37 * k) + (1.3 * i))).ToArray())
        .ToArray();
}
