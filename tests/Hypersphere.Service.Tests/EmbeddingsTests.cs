using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Hypersphere.Service.Tests.Support;
using SkiaSharp;

namespace Hypersphere.Service.Tests;

[Collection(SharedService.Name)]
public sealed class EmbeddingsTests(ServiceFixture service)
{
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public async Task FloatArraysEmbedToTheModelsMathWithUnitNormsUsingTheLatestVersionByDefault()
    {
        service.Require();
        var pixels = RandomPixels(5, seed: 3);

        var answer = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = Rows(pixels, 5) })));

        Assert.Equal("list", (string?)answer["object"]);
        Assert.Equal("toy@2", (string?)answer["model"]);
        AssertRowsMatch(service.Toys.Reference(seed: 2, pixels, 5), answer["data"]!.AsArray());
        Assert.Equal(5, (int)answer["usage"]!["prompt_tokens"]!);
        Assert.Equal(5, (int)answer["usage"]!["total_tokens"]!);
    }

    [SkippableFact]
    public async Task NameAtVersionPicksThatVersionAndLoadsItOnDemand()
    {
        service.Require();
        var pixels = RandomPixels(2, seed: 4);

        var older = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { model = "toy@1", input = Rows(pixels, 2) })));
        var latest = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { model = "toy", input = Rows(pixels, 2) })));

        Assert.Equal("toy@1", (string?)older["model"]);
        AssertRowsMatch(service.Toys.Reference(seed: 1, pixels, 2), older["data"]!.AsArray());
        Assert.Equal("toy@2", (string?)latest["model"]);
        AssertRowsMatch(service.Toys.Reference(seed: 2, pixels, 2), latest["data"]!.AsArray());
    }

    [SkippableFact]
    public async Task ABmpAPngDataUrlAndAFlatFloatArrayOfTheSameImageGiveTheSameEmbedding()
    {
        service.Require();
        var gray = TestImages.Ramp(offset: 3);
        var bmp = Convert.ToBase64String(BmpWriter.FromGray(8, 8, gray));
        var png = "data:image/png;base64," + Convert.ToBase64String(TestImages.Encode(gray, 8, 8, SKEncodedImageFormat.Png));
        var floats = ToyModels.Preprocess(gray);

        var items = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = new object[] { bmp, png, floats } })));
        var single = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = floats })));

        var expected = service.Toys.Reference(seed: 2, floats, 1)[0];
        AssertRowsMatch([expected, expected, expected], items["data"]!.AsArray());
        AssertRowsMatch([expected], single["data"]!.AsArray());
    }

    [SkippableFact]
    public async Task AJpegIsAcceptedAndGivesAUnitRow()
    {
        service.Require();
        var jpeg = Convert.ToBase64String(TestImages.Encode(TestImages.Ramp(), 8, 8, SKEncodedImageFormat.Jpeg));

        var answer = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = jpeg })));

        var row = Http.Floats(answer["data"]![0]!["embedding"]);
        Assert.Equal(ToyModels.Dim, row.Length);
        Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-5);
    }

    [SkippableFact]
    public async Task Base64EncodingIsTheLittleEndianFloat32BytesOfTheFloatAnswer()
    {
        service.Require();
        var input = Rows(RandomPixels(3, seed: 5), 3);

        var floats = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input, encoding_format = "float" })));
        var base64 = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input, encoding_format = "base64" })));

        for (var i = 0; i < 3; i++)
        {
            var bytes = Convert.FromBase64String((string)base64["data"]![i]!["embedding"]!);
            var decoded = Enumerable.Range(0, bytes.Length / 4).Select(j => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * j))).ToArray();
            Assert.Equal(Http.Floats(floats["data"]![i]!["embedding"]), decoded);
            Assert.Equal(i, (int)base64["data"]![i]!["index"]!);
            Assert.Equal("embedding", (string?)base64["data"]![i]!["object"]);
        }
    }

    [SkippableFact]
    public async Task AsManyItemsAsTheLimitAreEmbeddedInOrderAcrossSeveralRuns()
    {
        service.Require();
        var pixels = RandomPixels(ServiceFixture.MaxItems, seed: 6);

        var answer = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = Rows(pixels, ServiceFixture.MaxItems) })));

        AssertRowsMatch(service.Toys.Reference(seed: 2, pixels, ServiceFixture.MaxItems), answer["data"]!.AsArray());
    }

    internal static float[] RandomPixels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * ToyModels.ImageSize).Select(_ => (float)((random.NextDouble() * 4) - 1)).ToArray();
    }

    internal static float[][] Rows(float[] pixels, int count) =>
        Enumerable.Range(0, count).Select(i => pixels.AsSpan(i * ToyModels.ImageSize, ToyModels.ImageSize).ToArray()).ToArray();

    private static void AssertRowsMatch(double[][] expected, JsonArray data)
    {
        Assert.Equal(expected.Length, data.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(i, (int)data[i]!["index"]!);
            var row = Http.Floats(data[i]!["embedding"]);
            Assert.Equal(ToyModels.Dim, row.Length);
            for (var j = 0; j < row.Length; j++)
            {
                Assert.True(Math.Abs(row[j] - expected[i][j]) <= Tolerance, $"row {i}[{j}]: service {row[j]}, reference {expected[i][j]}");
            }

            Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-5);
        }
    }
}
