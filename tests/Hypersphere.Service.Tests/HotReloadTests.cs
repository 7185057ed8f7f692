using System.Text.Json.Nodes;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hypersphere.Service.Tests;

/// <summary>Hot reload: new versions become the default, changed ones are loaded again, removed ones unloaded, broken ones refused.</summary>
public sealed class HotReloadTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();
    private readonly float[] _image = Enumerable.Range(0, ToyModels.ImageSize).Select(k => (float)Math.Cos(0.3 * k)).ToArray();

    public HotReloadTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ANewVersionServesByDefaultAfterAReloadAndBrokenNewerOnesAreRefusedWhileItKeepsServing()
    {
        var root = Models();
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        await AssertServes(client, "toy@1", seed: 1);

        _toys.WriteVersion(root, "toy", "2", seed: 2);
        var report = await Reload(client);
        Assert.Equal(["toy@2"], Ids(report["added"]));
        Assert.Equal("toy@2", (string?)report["serving"]!["toy"]);
        await AssertServes(client, "toy@2", seed: 2);

        _toys.WriteVersion(root, "toy", "3", seed: 1, card => card with { Onnx = card.Onnx with { Sha256 = new string('0', 64) } });
        report = await Reload(client);
        Assert.Empty(report["added"]!.AsArray());
        var failed = Assert.Single(report["failed"]!.AsArray())!;
        Assert.Equal("toy@3", (string?)failed["model"]);
        Assert.Contains("sha256", (string?)failed["error"], StringComparison.Ordinal);
        Assert.Equal("toy@2", (string?)report["serving"]!["toy"]);
        await AssertServes(client, "toy@2", seed: 2);
        var models = await Http.OkJson(await client.GetAsync("/v1/models"));
        var toy = models["data"]![0]!;
        Assert.Equal("2", (string?)toy["latest"]);
        var three = toy["versions"]!.AsArray().Single(v => (string?)v!["id"] == "toy@3")!;
        Assert.Equal("failed", (string?)three["status"]);
        Assert.Contains("sha256", (string?)three["error"], StringComparison.Ordinal);
        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Equal("toy@3", (string?)Assert.Single(ready["failed"]!.AsArray())!["model"]);
        await Http.Problem(await Embed(client, "toy@3"), 503, "toy@3 cannot be served", "sha256");

        // A corrupt ONNX file whose card matches it: it passes the sha256 check and fails in ONNX Runtime.
        var four = _toys.WriteVersion(root, "toy", "4", seed: 1);
        await File.WriteAllBytesAsync(Path.Combine(four, "model.onnx"), "this is not an ONNX model"u8.ToArray());
        Inference.ModelCardFile.Write(Path.Combine(four, "model.json"), ToyModels.CardFor(Path.Combine(four, "model.onnx"), "toy", "4"));
        report = await Reload(client);
        Assert.Equal(["toy@3", "toy@4"], Ids(report["failed"]).Order(StringComparer.Ordinal));
        await AssertServes(client, "toy@2", seed: 2);
    }

    [SkippableFact]
    public async Task AChangedVersionFolderIsLoadedAgainAndARefusedChangeLeavesTheEarlierSessionServing()
    {
        var root = Models();
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var before = Assert.Single(factory.Registry.Loaded);

        _toys.WriteVersion(root, "toy", "1", seed: 2);
        var report = await Reload(client);

        Assert.Equal(["toy@1"], Ids(report["reloaded"]));
        await AssertServes(client, "toy@1", seed: 2);
        var unloaded = Assert.Throws<HypersphereException>(() => before.Encoder.Embed(_image, 1));
        Assert.Equal(ErrorKind.NotReady, unloaded.Kind);

        // New weights without a matching card: the change is refused and seed 2's session keeps serving.
        File.Copy(Path.Combine(_toys.WriteVersion(_temp.Folder("staging"), "toy", "1", seed: 1), "model.onnx"), Path.Combine(root, "toy", "1", "model.onnx"), overwrite: true);
        report = await Reload(client);
        Assert.Empty(report["reloaded"]!.AsArray());
        Assert.Contains("the earlier load keeps serving", (string?)Assert.Single(report["failed"]!.AsArray())!["error"], StringComparison.Ordinal);
        await AssertServes(client, "toy@1", seed: 2);
        var entry = (await Http.OkJson(await client.GetAsync("/v1/models")))["data"]![0]!["versions"]![0]!;
        Assert.Equal("loaded", (string?)entry["status"]);
        Assert.Contains("sha256", (string?)entry["error"], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ARemovedVersionFinishesItsInFlightWorkIsUnloadedAndTheNameFallsBackToTheNewestLeft()
    {
        var root = Models();
        _toys.WriteVersion(root, "toy", "2", seed: 2);
        using var runner = new GatedRunner();
        await using var factory = new ServiceFactory(root, services: runner.Install);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var two = Assert.Single(factory.Registry.Loaded);
        Assert.Equal("toy@2", two.Id.ToString());

        var inFlight = Embed(client, null);
        Assert.True(await runner.WaitForRunAsync());
        Directory.Delete(Path.Combine(root, "toy", "2"), recursive: true);
        var reloading = client.PostAsync("/admin/reload", null);
        await Task.Delay(200);
        Assert.False(reloading.IsCompleted, "the reload must wait for the work in flight on toy@2");
        runner.Open();

        AssertRow(await Http.OkJson(await inFlight), "toy@2", seed: 2);
        var report = await Http.OkJson(await reloading);
        Assert.Equal(["toy@2"], Ids(report["removed"]));
        Assert.Equal(["toy@1"], Ids(report["added"]));
        Assert.Equal(ErrorKind.NotReady, Assert.Throws<HypersphereException>(() => two.Encoder.Embed(_image, 1)).Kind);
        await AssertServes(client, "toy@1", seed: 1);
        await Http.Problem(await Embed(client, "toy@2"), 404, "has no version '2'");
        Assert.Equal(0, factory.Services.GetRequiredService<BatchScheduler>().QueueDepth(new ModelId("toy", "2")));
    }

    [SkippableFact]
    public async Task ABrokenLatestVersionAtStartUpLeavesThePreviousOneServing()
    {
        var root = Models();
        _toys.WriteVersion(root, "toy", "2", seed: 2, card => card with { Onnx = card.Onnx with { Size = 1 } });
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await AssertServes(client, "toy@1", seed: 1);
        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));
        Assert.Equal("toy@2", (string?)Assert.Single(ready["failed"]!.AsArray())!["model"]);
    }

    [SkippableFact]
    public async Task TheFolderWatcherReloadsAfterAVersionIsCopiedIn()
    {
        var root = Models();
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?>
        {
            ["Hypersphere:ModelWatch"] = "inotify",
            ["Hypersphere:ReloadDebounceMs"] = "100",
        });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        _toys.WriteVersion(root, "toy", "2", seed: 2);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((string?)(await Http.OkJson(await client.GetAsync("/v1/models")))["default_model"] != "toy@2")
        {
            Assert.True(DateTime.UtcNow < deadline, "the watcher did not reload toy@2 within 20 s");
            await Task.Delay(50);
        }

        await AssertServes(client, "toy@2", seed: 2);
    }

    [SkippableFact]
    public async Task InPollModeAVersionCopiedInIsServedAfterAPollWithoutAnyFileSystemWatcher()
    {
        var root = Models();
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?>
        {
            ["Hypersphere:ModelWatch"] = "poll",
            ["Hypersphere:ModelPollSeconds"] = "1",
            ["Hypersphere:ReloadDebounceMs"] = "100",
        });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var watcher = factory.Services.GetServices<IHostedService>().OfType<ModelFolderWatcher>().Single();
        Assert.True(watcher.Polls);
        Assert.False(watcher.WatchesEvents); // no inotify: only a poll can notice the copy

        _toys.WriteVersion(root, "toy", "2", seed: 2);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((string?)(await Http.OkJson(await client.GetAsync("/v1/models")))["default_model"] != "toy@2")
        {
            Assert.True(DateTime.UtcNow < deadline, "the poll did not reload toy@2 within 20 s");
            await Task.Delay(50);
        }

        await AssertServes(client, "toy@2", seed: 2);
    }

    [SkippableFact]
    public async Task WithWatchingOffNothingReloadsUntilAsked()
    {
        var root = Models();
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:ModelWatch"] = "OFF" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var watcher = factory.Services.GetServices<IHostedService>().OfType<ModelFolderWatcher>().Single();
        Assert.False(watcher.Polls);
        Assert.False(watcher.WatchesEvents);

        _toys.WriteVersion(root, "toy", "2", seed: 2);
        await AssertServes(client, "toy@1", seed: 1);
        Assert.Equal("toy@2", (string?)(await Reload(client))["serving"]!["toy"]);
    }

    [Fact]
    public void ATreeStampSeesANewFileAChangedSizeOrTimeAndNothingElse()
    {
        var root = _temp.Folder("tree");
        Directory.CreateDirectory(Path.Combine(root, "toy", "1"));
        var file = Path.Combine(root, "toy", "1", "model.onnx");
        File.WriteAllBytes(file, [1, 2, 3]);
        var first = FolderStamp.Read(root, recursive: true);

        Assert.Equal(first, FolderStamp.Read(root, recursive: true));
        Assert.Equal(string.Empty, FolderStamp.Read(root).Files); // the top level holds no file
        Directory.CreateDirectory(Path.Combine(root, "toy", "2"));
        Assert.Equal(first, FolderStamp.Read(root, recursive: true)); // an empty folder serves nothing

        File.WriteAllBytes(file, [1, 2, 3, 4]);
        var grown = FolderStamp.Read(root, recursive: true);
        Assert.NotEqual(first, grown);
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(-5));
        var touched = FolderStamp.Read(root, recursive: true);
        Assert.NotEqual(grown, touched);
        File.WriteAllBytes(Path.Combine(root, "toy", "2", "model.json"), []);
        Assert.NotEqual(touched, FolderStamp.Read(root, recursive: true));
        Assert.Contains(Path.Combine("toy", "2", "model.json") + ":0:", FolderStamp.Read(root, recursive: true).Files, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadingRetriesAnyFailureWithBackoffButNotCancellation()
    {
        var retry = ModelLoader.Retry(new HypersphereOptions { ModelLoadRetries = 3, ModelLoadRetryDelayMs = 1 }, NullLogger.Instance, "toy@1");

        var attempts = 0;
        var loaded = await retry.ExecuteAsync(_ => ++attempts < 3 ? throw new IOException("the volume is still syncing") : ValueTask.FromResult("loaded"));
        Assert.Equal(("loaded", 3), (loaded, attempts));

        attempts = 0;
        await Assert.ThrowsAsync<HypersphereException>(async () => await retry.ExecuteAsync<int>(_ => { attempts++; throw new HypersphereException(ErrorKind.Corrupt, "sha256"); }));
        Assert.Equal(4, attempts);

        attempts = 0;
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await retry.ExecuteAsync<int>(_ => { attempts++; throw new OperationCanceledException(); }));
        Assert.Equal(1, attempts);
    }

    private string Models()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        return root;
    }

    private static async Task<JsonNode> Reload(HttpClient client) => await Http.OkJson(await client.PostAsync("/admin/reload", null));

    private static string[] Ids(JsonNode? list) => list!.AsArray().Select(i => i is JsonObject o ? (string)o["model"]! : (string)i!).ToArray();

    private Task<HttpResponseMessage> Embed(HttpClient client, string? model) =>
        client.PostAsync("/v1/embeddings", Http.Json(model is null ? new { input = _image } : (object)new { model, input = _image }));

    private async Task AssertServes(HttpClient client, string id, int seed) => AssertRow(await Http.OkJson(await Embed(client, null)), id, seed);

    private void AssertRow(JsonNode answer, string id, int seed)
    {
        Assert.Equal(id, (string?)answer["model"]);
        var row = Http.Floats(answer["data"]![0]!["embedding"]);
        Assert.All(row.Zip(_toys.Reference(seed, _image, 1)[0]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"{id}: {p.First} vs seed {seed}'s {p.Second}"));
    }
}
