using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

[Collection(SharedService.Name)]
public sealed class HealthAndModelsTests(ServiceFixture service)
{
    [SkippableFact]
    public async Task LiveIsAlways200()
    {
        service.Require();

        var live = await Http.OkJson(await service.Client.GetAsync("/healthz/live"));

        Assert.Equal("live", (string?)live["status"]);
    }

    [SkippableFact]
    public async Task ReadyListsTheLoadedLatestVersionAndItsProvider()
    {
        service.Require();

        var ready = await Http.OkJson(await service.Client.GetAsync("/healthz/ready"));

        Assert.Equal("ready", (string?)ready["status"]);
        var toy = Assert.Single(ready["models"]!.AsArray(), m => (string?)m!["id"] == "toy@2");
        Assert.Equal("CPUExecutionProvider", (string?)toy!["provider"]);
        Assert.Empty(ready["failed"]!.AsArray());
    }

    [SkippableFact]
    public async Task ModelsListsVersionsNewestFirstWithInputSpecDimProviderAndCard()
    {
        service.Require();

        var models = await Http.OkJson(await service.Client.GetAsync("/v1/models"));

        Assert.Equal("list", (string?)models["object"]);
        Assert.Equal("toy@2", (string?)models["default_model"]);
        var toy = Assert.Single(models["data"]!.AsArray())!;
        Assert.Equal("toy", (string?)toy["id"]);
        Assert.Equal("2", (string?)toy["latest"]);
        var versions = toy["versions"]!.AsArray();
        Assert.Equal(["toy@2", "toy@1"], versions.Select(v => (string?)v!["id"]));
        var latest = versions[0]!;
        Assert.Equal("loaded", (string?)latest["status"]);
        Assert.Equal(ToyModels.Dim, (int)latest["embedding_dim"]!);
        Assert.Equal(1, (int)latest["input"]!["channels"]!);
        Assert.Equal(8, (int)latest["input"]!["height"]!);
        Assert.Equal(ToyModels.Mean, (float)latest["input"]!["mean"]![0]!);
        Assert.Equal("CPUExecutionProvider", (string?)latest["execution_provider"]!["name"]);
        Assert.Equal("cpu", (string?)latest["execution_provider"]!["requested"]);
        Assert.Null(latest["execution_provider"]!["fallback_reason"]);
        Assert.Equal(64, ((string?)latest["card"]!["onnx"]!["sha256"])!.Length);
        Assert.Equal(0.6, (double)latest["card"]!["evaluation"]!["linear_output"]!, 12);
        Assert.Contains((string?)versions[1]!["status"], new[] { "loaded", "not_loaded" });
        Assert.NotNull(versions[1]!["card"]);
    }
}
