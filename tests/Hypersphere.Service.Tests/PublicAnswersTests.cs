using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>Answers name models and settings, never the files behind them (the log keeps the paths).</summary>
public sealed class PublicAnswersTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public PublicAnswersTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task LoadFailuresNameTheModelButNoPathInReadinessModelsOrErrors()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "good", "1", seed: 1);
        _toys.WriteVersion(root, "shaless", "1", seed: 2, card => card with { Onnx = card.Onnx with { Sha256 = new string('0', 64) } });
        _toys.WriteVersion(root, "renamed", "1", seed: 2, card => card with { Name = "other" });
        var unreadable = Path.Combine(_toys.WriteVersion(root, "cardless", "1", seed: 1), "model.json");
        File.WriteAllText(unreadable, "{ not a card");
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var bodies = new List<string>
        {
            await (await client.GetAsync("/healthz/ready")).Content.ReadAsStringAsync(),
            await (await client.GetAsync("/v1/models")).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/v1/embeddings", Http.Json(new { model = "shaless", input = Enumerable.Repeat(0.5f, 64).ToArray() }))).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/v1/embeddings", Http.Json(new { model = "renamed", input = Enumerable.Repeat(0.5f, 64).ToArray() }))).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/v1/embeddings", Http.Json(new { model = "cardless", input = Enumerable.Repeat(0.5f, 64).ToArray() }))).Content.ReadAsStringAsync(),
        };

        Assert.Contains("shaless@1", bodies[0], StringComparison.Ordinal);
        Assert.Contains("sha256", bodies[0], StringComparison.Ordinal);
        Assert.Contains("renamed@1", bodies[1], StringComparison.Ordinal);
        foreach (var body in bodies)
        {
            Assert.DoesNotContain(root, body, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetTempPath(), body, StringComparison.Ordinal);
            Assert.DoesNotContain("/tmp/", body, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task CudaDemandedWhereItCannotLoadNamesTheServiceSettingNotACommandLineFlag()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:ExecutionProvider"] = "cuda" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        Skip.If(factory.Registry.Loaded.Count > 0, "CUDA loads on this machine");

        var problem = await Http.Problem(await client.GetAsync("/healthz/ready"), 503, "set Hypersphere:ExecutionProvider to auto or cpu");

        Assert.DoesNotContain("--provider", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AModelNameThatIsNotValidTextIs400SayingSo()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root);
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var response = await client.PostAsync("/v1/embeddings", Http.Json("""{"model": "toy\ud800", "input": "AAAA"}"""));

        var problem = await Http.Problem(response, 400, "model");
        Assert.DoesNotContain("must be a string", (string?)problem["detail"], StringComparison.Ordinal);
    }
}
