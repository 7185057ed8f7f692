using System.Text.Json.Nodes;
using Hypersphere.Service.Tests.Browser;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary><c>POST /v1/compare</c> on the shipped models: CKA and mutual k-NN overlap, checked against what they must be by definition.</summary>
public sealed class CompareApiTests : IAsyncLifetime, IDisposable
{
    private const string AlignUniform = "fmnist-align-uniform@2", Contrastive = "fmnist-contrastive@2";
    private readonly ServiceFactory _factory = new(Repository.PathOf("models"));
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _http = _factory.CreateClient();
        await _factory.WaitForStartupLoadAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task ARotatedScaledShiftedCopyScoresOneOnEveryMeasure()
    {
        // b = 2.5·a·R + c with R a rotation in the first two coordinates: CKA is invariant to all three, k-NN by cosine
        // to the rotation and scaling (no shift there: c = 0 leaves the neighbours as they are).
        var random = new Random(4);
        var a = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 6).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        var (sin, cos) = Math.SinCos(0.7);
        var b = a.Select(r => new[] { 2.5 * ((cos * r[0]) - (sin * r[1])), 2.5 * ((sin * r[0]) + (cos * r[1])), 2.5 * r[2], 2.5 * r[3], 2.5 * r[4], 2.5 * r[5] }).ToArray();
        var report = await Http.OkJson(await _http.PostAsync("/v1/compare", Http.Json(new { a, b, k = 5 })));
        foreach (var measure in new[] { "linear_cka", "linear_cka_debiased", "rbf_cka", "mutual_knn" })
        {
            Assert.Equal(1, (double)report[measure]!, 1e-9);
        }

        Assert.Equal(50, (int)report["rows"]!);
        Assert.Equal(5, (int)report["k"]!);
    }

    [Fact]
    public async Task TwoServedModelsOfTheSameImagesAgreeInPartAndAModelWithItselfFully()
    {
        var (pixels, _) = PageServer.TestImages(120);
        var input = Enumerable.Range(0, 120).Select(i => Png(pixels.AsSpan(i * 784, 784))).ToArray();
        var self = await Http.OkJson(await _http.PostAsync("/v1/compare", Http.Json(new { input, models = new[] { AlignUniform, AlignUniform } })));
        Assert.Equal(1, (double)self["linear_cka"]!, 1e-9);
        Assert.Equal(1, (double)self["mutual_knn"]!, 1e-12);

        var other = await Http.OkJson(await _http.PostAsync("/v1/compare", Http.Json(new { input, models = new[] { AlignUniform, Contrastive } })));
        Assert.InRange((double)other["linear_cka_debiased"]!, 0.3, 0.999);
        Assert.Equal(128, (int)other["dim_b"]!);
        var warnings = other["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.Contains(warnings, w => w.StartsWith($"a: embeddings by model {AlignUniform}", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"b: embeddings by model {Contrastive}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadRequestsAreProblemsThatSayWhatWasExpected()
    {
        double[][] three = [[1, 0], [0, 1], [1, 1]], two = [[1, 0], [0, 1]];
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { a = three, b = two })), 422, "same inputs in the same order, but A has 3 rows and B 2");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { a = three })), 400, "a and b are required");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { a = three, b = three, input = new[] { "x" } })), 400, "not both");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { input = new[] { new float[784] }, models = new[] { AlignUniform } })), 422, "two served models", "had 1");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { input = new[] { new float[784], new float[784] }, models = new[] { AlignUniform, "no-such-model" } })), 404, "no-such-model");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new { a = three, b = three, k = 0 })), 422, "k must be at least 1, but was 0");
        await Http.Problem(await _http.PostAsync("/v1/compare", Http.Json(new JsonObject { ["a"] = JsonNode.Parse("[[1, \"x\"]]"), ["b"] = JsonNode.Parse("[[1, 2]]") })), 400, "a[0][1] must be a number");
    }

    private static string Png(ReadOnlySpan<byte> gray) => Convert.ToBase64String(PngWriter.Gray(gray.ToArray(), 28, 28));
}
