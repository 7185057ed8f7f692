using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hypersphere.Service.Tests.Support;
using SkiaSharp;

namespace Hypersphere.Service.Tests;

/// <summary>
/// <c>POST /v1/embeddings</c> with NumPy bodies (Content-Type: application/x-npy) and .npy answers
/// (Accept: application/x-npy). Request files are built byte by byte (<see cref="NpyBytes"/>) and answers parsed
/// by hand from the format specification, so neither side goes through the service's own .npy code.
/// </summary>
[Collection(SharedService.Name)]
public sealed partial class NpyEmbeddingsTests(ServiceFixture service)
{
    private const string Npy = "application/x-npy";
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public async Task AUint8ArrayIsPreprocessedLikeTheSameImagesSentAsFloats()
    {
        service.Require();
        var gray = Images(3);

        var answer = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Body(Uint8(gray, "(3, 8, 8)"))));

        Assert.Equal("toy@2", (string?)answer["model"]);
        AssertRowsMatch(service.Toys.Reference(seed: 2, Preprocessed(gray), 3), Rows(answer));
    }

    [SkippableFact]
    public async Task AChannelFirstArrayAndUnitFloatsGiveTheSameRowsAndTheQueryPicksTheModel()
    {
        service.Require();
        var gray = Images(2);
        var unit = gray.SelectMany(g => g).Select(b => b / 255f).ToArray();

        var bytes = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings?model=toy@1", Body(Uint8(gray, "(2, 1, 8, 8)"))));
        var floats = await Http.OkJson(await service.Client.PostAsync(
            "/v1/embeddings?model=toy@1", Body(NpyBytes.File("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 8, 8), }", NpyBytes.Float32(unit)))));
        var doubles = await Http.OkJson(await service.Client.PostAsync(
            "/v1/embeddings?model=toy@1", Body(NpyBytes.File("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 8, 8), }", NpyBytes.Float64(unit.Select(v => (double)v), bigEndian: true)))));

        var expected = service.Toys.Reference(seed: 1, Preprocessed(gray), 2);
        foreach (var answer in new[] { bytes, floats, doubles })
        {
            Assert.Equal("toy@1", (string?)answer["model"]);
            AssertRowsMatch(expected, Rows(answer));
        }
    }

    [SkippableFact]
    public async Task AcceptNpyAnswersAFloat32MatrixWithTheModelInAHeader()
    {
        service.Require();
        var gray = Images(4);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = Body(Uint8(gray, "(4, 8, 8)")) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Npy));

        using var response = await service.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Npy, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("toy@2", response.Headers.GetValues("X-Hypersphere-Model").Single());
        var (rows, cols, values) = ParseFloat32Matrix(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((4, ToyModels.Dim), (rows, cols));
        AssertRowsMatch(service.Toys.Reference(seed: 2, Preprocessed(gray), 4), Enumerable.Range(0, rows).Select(i => values[(i * cols)..((i + 1) * cols)]).ToArray());
    }

    [SkippableFact]
    public async Task AJsonRequestMayAskForANpyAnswerButJsonWinsWhenPreferred()
    {
        service.Require();
        var pixels = EmbeddingsTests.RandomPixels(2, seed: 7);
        var body = new { input = EmbeddingsTests.Rows(pixels, 2) };

        using var npyRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = Http.Json(body) };
        npyRequest.Headers.Accept.ParseAdd("application/json;q=0.5, application/x-npy");
        using var npyAnswer = await service.Client.SendAsync(npyRequest);
        using var jsonRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = Http.Json(body) };
        jsonRequest.Headers.Accept.ParseAdd("application/x-npy;q=0.2, application/json");
        using var jsonAnswer = await service.Client.SendAsync(jsonRequest);

        Assert.Equal(Npy, npyAnswer.Content.Headers.ContentType?.MediaType);
        var (rows, cols, values) = ParseFloat32Matrix(await npyAnswer.Content.ReadAsByteArrayAsync());
        var json = await Http.OkJson(jsonAnswer);
        var jsonRows = Rows(json);
        Assert.Equal((2, ToyModels.Dim), (rows, cols));
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(jsonRows[i], values[(i * cols)..((i + 1) * cols)]); // float32 both ways: bit-equal
        }
    }

    [SkippableFact]
    public async Task AUint8ArrayOfAnotherSizeIsResizedLikeTheSameImageSentAsPng()
    {
        service.Require();
        var big = Enumerable.Range(0, 16 * 16).Select(i => (byte)((i * 37) % 251)).ToArray();
        var png = Convert.ToBase64String(TestImages.Encode(big, 16, 16, SKEncodedImageFormat.Png));

        var fromNpy = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Body(Uint8([big], "(1, 16, 16)"))));
        var fromPng = await Http.OkJson(await service.Client.PostAsync("/v1/embeddings", Http.Json(new { input = png })));

        Assert.Equal(Rows(fromPng)[0], Rows(fromNpy)[0]);
    }

    [SkippableTheory]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 8, 8), }", 256, 400, "dtype '<i4'")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (abc, 8, 8), }", 64, 400, "'abc'", "non-negative integer")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (64,), }", 64, 400, "shape (64,)", "(N, H, W) or (N, C, H, W)")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 8, 8), }", 100, 400, "128 data bytes", "truncated")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 8, 8), }", 0, 422, "at least 1 image")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (9, 8, 8), }", 9 * 64, 413, "at most 8 images")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 4), }", 64, 422, "must already be the model's 1×8×8")]
    public async Task ABadArrayIsAProblemThatSaysWhatWasWrong(string dict, int payloadBytes, int status, params string[] fragments)
    {
        service.Require();

        var response = await service.Client.PostAsync("/v1/embeddings", Body(NpyBytes.File(dict, new byte[payloadBytes])));

        await Http.Problem(response, status, ["the request body", .. fragments]);
    }

    [SkippableFact]
    public async Task UnitFloatsOutsideZeroOneAndBytesThatAreNoNpyAreRefused()
    {
        service.Require();
        var normalised = Enumerable.Repeat(-0.5f, 64).ToArray();

        var outside = await service.Client.PostAsync(
            "/v1/embeddings", Body(NpyBytes.File("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 8, 8), }", NpyBytes.Float32(normalised))));
        var notNpy = await service.Client.PostAsync("/v1/embeddings", Body(Encoding.ASCII.GetBytes("{\"input\": [1, 2]}")));

        await Http.Problem(outside, 422, "must be in [0, 1]", "-0.5");
        await Http.Problem(notNpy, 400, "the request body is not a .npy file");
    }

    [SkippableFact]
    public async Task QueryParametersOnAJsonBodyAndABadQueryEncodingAreRefused()
    {
        service.Require();

        var jsonWithQuery = await service.Client.PostAsync("/v1/embeddings?model=toy@1", Http.Json(new { input = EmbeddingsTests.Rows(EmbeddingsTests.RandomPixels(1, 1), 1) }));
        var badEncoding = await service.Client.PostAsync("/v1/embeddings?encoding_format=hex", Body(Uint8(Images(1), "(1, 8, 8)")));
        var unknownModel = await service.Client.PostAsync("/v1/embeddings?model=nope", Body(Uint8(Images(1), "(1, 8, 8)")));

        await Http.Problem(jsonWithQuery, 400, "query parameters model and encoding_format are for .npy bodies");
        await Http.Problem(badEncoding, 422, "encoding_format must be 'float' or 'base64', but was 'hex'");
        await Http.Problem(unknownModel, 404, "nope");
    }

    private static byte[][] Images(int count) =>
        Enumerable.Range(0, count).Select(i => TestImages.Ramp(offset: (5 * i) + 1)).ToArray();

    private static float[] Preprocessed(byte[][] gray) => gray.SelectMany(ToyModels.Preprocess).ToArray();

    private static byte[] Uint8(byte[][] images, string shape) =>
        NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': {shape}, }}", images.SelectMany(g => g).ToArray());

    private static ByteArrayContent Body(byte[] npy)
    {
        var content = new ByteArrayContent(npy);
        content.Headers.ContentType = new MediaTypeHeaderValue(Npy);
        return content;
    }

    private static float[][] Rows(JsonNode answer) =>
        answer["data"]!.AsArray().Select((item, i) =>
        {
            Assert.Equal(i, (int)item!["index"]!);
            return Http.Floats(item["embedding"]);
        }).ToArray();

    /// <summary>Reads a version 1.0 '&lt;f4' C-order 2-D .npy file as the format specification lays it out.</summary>
    private static (int Rows, int Cols, float[] Values) ParseFloat32Matrix(byte[] file)
    {
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], file[..8]);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.Latin1.GetString(file, 10, headerLength);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        var shape = ShapeOf().Match(header);
        Assert.True(shape.Success, header);
        int rows = int.Parse(shape.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), cols = int.Parse(shape.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var data = file.AsSpan(10 + headerLength);
        Assert.Equal(rows * cols * 4, data.Length);
        var values = new float[rows * cols];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        }

        return (rows, cols, values);
    }

    private static void AssertRowsMatch(double[][] expected, float[][] rows)
    {
        Assert.Equal(expected.Length, rows.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(ToyModels.Dim, rows[i].Length);
            for (var j = 0; j < rows[i].Length; j++)
            {
                Assert.True(Math.Abs(rows[i][j] - expected[i][j]) <= Tolerance, $"row {i}[{j}]: service {rows[i][j]}, reference {expected[i][j]}");
            }

            Assert.Equal(1.0, Math.Sqrt(rows[i].Sum(v => (double)v * v)), 1e-5);
        }
    }

    [GeneratedRegex(@"'shape': \((\d+), (\d+)\)")]
    private static partial Regex ShapeOf();
}
