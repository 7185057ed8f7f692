using System.Text.Json.Nodes;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

[Collection(SharedService.Name)]
public sealed class QualityTests(ServiceFixture service)
{
    [SkippableFact]
    public async Task TheAnswerIsExactlyCoresReportJsonForTheSameInput()
    {
        service.Require();
        var x = UnitRows(40, 16, seed: 1);
        var y = x.Select((row, i) => Normalise(row.Select((v, j) => v + (0.1 * Math.Sin(i + j))).ToArray())).ToArray();
        var labels = Enumerable.Range(0, 40).Select(i => i % 3).ToArray();

        var response = await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = x, positives = y, labels, alpha = 1.5, t = 3.0 }));

        var expected = QualityAnalyzer.Analyze(
            EmbeddingMatrix.FromRows(x, normalize: false),
            EmbeddingMatrix.FromRows(y, normalize: false),
            labels,
            new QualityOptions(1.5, 3.0));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(QualityJson.Serialize(expected), await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task FourPointsOnACircleGiveTheHandComputedNumbers()
    {
        service.Require();
        double[][] square = [[1, 0], [0, 1], [-1, 0], [0, -1]];

        var report = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = square, positives = square })));

        // Pairs: four neighbours at ‖·‖² = 2 and two opposites at ‖·‖² = 4; t = 2.
        var uniformity = Math.Log(((4 * Math.Exp(-4)) + (2 * Math.Exp(-8))) / 6);
        Assert.Equal(0.0, (double)report["alignment"]!, 12);
        Assert.Equal(uniformity, (double)report["uniformity"]!, 12);
        Assert.Equal(uniformity, (double)report["uniformity_mean"]!, 12);
        Assert.Equal(-1.0 / 3, (double)report["mean_cosine"]!, 12);
        Assert.Equal(-2.0 * 2 * 4 / 3, (double)report["reference"]!["finite_n_bound"]!, 12);
        Assert.Equal(-1.575027, (double)report["reference"]!["uniform_optimum"]!, 5);
        Assert.Equal(4, (int)report["n"]!);
        Assert.Equal(2, (int)report["dim"]!);
        Assert.Null(report["knn_accuracy"]);
    }

    [SkippableFact]
    public async Task NormalizeScalesRowsFirstAndSaysSo()
    {
        service.Require();

        var report = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = new[] { new[] { 3.0, 4.0 }, new[] { 0.0, -2.0 } }, normalize = true })));

        // (0.6, 0.8) and (0, −1): cosine −0.8.
        Assert.Equal(-0.8, (double)report["mean_cosine"]!, 12);
        Assert.Contains(report["warnings"]!.AsArray(), w => ((string)w!).Contains("L2-normalised", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task StringAndIntegerLabelsNameTheSameClassesAndEnableKnn()
    {
        service.Require();
        var x = UnitRows(12, 4, seed: 2);
        var ints = Enumerable.Range(0, 12).Select(i => i % 2).ToArray();
        var strings = ints.Select(i => i == 0 ? "cat" : "dog").ToArray();

        var byInt = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = x, labels = ints })));
        var byString = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = x, labels = strings })));

        Assert.NotNull(byInt["knn_accuracy"]);
        Assert.Equal(byInt["knn_accuracy"]!.ToJsonString(), byString["knn_accuracy"]!.ToJsonString());
    }

    [SkippableFact]
    public async Task TheImageFormEmbedsWithTheModelAndMeasuresThoseEmbeddings()
    {
        service.Require();
        var input = EmbeddingsTests.Rows(EmbeddingsTests.RandomPixels(6, seed: 7), 6);
        var positives = EmbeddingsTests.Rows(EmbeddingsTests.RandomPixels(6, seed: 8), 6);
        var labels = new[] { "a", "b", "a", "b", "a", "b" };

        var report = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { model = "toy@1", input, positives, labels })));
        var x = await Embed("toy@1", input);
        var y = await Embed("toy@1", positives);

        var expected = QualityAnalyzer.Analyze(
            EmbeddingMatrix.Create(x, 6, ToyModels.Dim, normalize: false),
            EmbeddingMatrix.Create(y, 6, ToyModels.Dim, normalize: false),
            LabelSet.ToIds(labels),
            warnings: ["embeddings computed by model toy@1 on CPUExecutionProvider"]);
        var expectedJson = JsonNode.Parse(QualityJson.Serialize(expected))!;
        foreach (var field in new[] { "alignment", "uniformity", "uniformity_positives", "rank_me", "mean_cosine", "std_sqrt_d" })
        {
            Assert.Equal((double)expectedJson[field]!, (double)report[field]!, 12);
        }

        Assert.Equal(expectedJson["warnings"]!.ToJsonString(), report["warnings"]!.ToJsonString());
        Assert.Equal(expectedJson["knn_accuracy"]!.ToJsonString(), report["knn_accuracy"]!.ToJsonString());
    }

    private async Task<float[]> Embed(string model, float[][] input)
    {
        var answer = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { model, input })));
        return answer["data"]!.AsArray().SelectMany(d => Http.Floats(d!["embedding"])).ToArray();
    }

    private static double[][] UnitRows(int n, int d, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Normalise(Enumerable.Range(0, d).Select(_ => random.NextDouble() - 0.5).ToArray())).ToArray();
    }

    private static double[] Normalise(double[] row)
    {
        var norm = Math.Sqrt(row.Sum(v => v * v));
        return row.Select(v => v / norm).ToArray();
    }
}
