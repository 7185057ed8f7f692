using System.Globalization;
using System.Text;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>Every malformed request gets a 4xx problem document whose detail says what was wrong; never a 500.</summary>
[Collection(SharedService.Name)]
public sealed class MalformedRequestTests(ServiceFixture service)
{
    private static readonly string Floats64 = Numbers(64);
    private static readonly string Image = Convert.ToBase64String(BmpWriter.FromGray(8, 8, TestImages.Ramp()));
    private static readonly string Square = "[[1,0],[0,1],[-1,0],[0,-1]]";

    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        // name, route, body, status, a fragment the detail must contain
        { "not JSON", "/v1/embeddings", "not json", 400, "not valid JSON" },
        { "truncated JSON", "/v1/embeddings", """{"input": [1, 2""", 400, "not valid JSON" },
        { "empty body", "/v1/embeddings", "", 400, "JSON object" },
        { "null body", "/v1/embeddings", "null", 400, "JSON object" },
        { "array body", "/v1/embeddings", "[1, 2]", 400, "JSON object" },
        { "input missing", "/v1/embeddings", "{}", 400, "input is required" },
        { "input null", "/v1/embeddings", """{"input": null}""", 400, "input is required" },
        { "input a number", "/v1/embeddings", """{"input": 5}""", 400, "input must be a string or an array, but was a number (5)" },
        { "input an object", "/v1/embeddings", """{"input": {"a": 1}}""", 400, "input must be a string or an array, but was an object" },
        { "input empty", "/v1/embeddings", """{"input": []}""", 422, "at least 1 item" },
        { "item a boolean", "/v1/embeddings", """{"input": [true]}""", 400, "input[0] must be a base64" },
        { "item an object", "/v1/embeddings", $$"""{"input": ["{{Image}}", {"b": 2}]}""", 400, "input[1] must be a base64" },
        { "bad base64", "/v1/embeddings", """{"input": "!!!not base64!!!"}""", 400, "input is not valid base64" },
        { "empty image string", "/v1/embeddings", """{"input": [""]}""", 400, "input[0] is empty" },
        { "base64 of text", "/v1/embeddings", """{"input": "aGVsbG8gd29ybGQ="}""", 400, "cannot be decoded" },
        { "data URL not base64", "/v1/embeddings", """{"input": "data:image/png,abc"}""", 400, "not base64" },
        { "wrong float count", "/v1/embeddings", $$"""{"input": [{{Numbers(63)}}]}""", 422, "C·H·W = 1·8·8 = 64 floats for model toy@2, but held 63" },
        { "wrong float count in a flat item", "/v1/embeddings", $$"""{"input": {{Numbers(65)}}}""", 422, "= 64 floats" },
        { "float beyond float32", "/v1/embeddings", $$"""{"input": [{{Numbers(63, last: "1e39")}}]}""", 422, "input[0][63] is 1e39" },
        { "number beyond double", "/v1/embeddings", $$"""{"input": [{{Numbers(63, last: "1e999")}}]}""", 422, "finite float32" },
        { "string among floats", "/v1/embeddings", $$"""{"input": [{{Numbers(63, last: "\"x\"")}}]}""", 400, "input[0][63] must be a number" },
        { "nested array among floats", "/v1/embeddings", $$"""{"input": [{{Numbers(63, last: "[1]")}}]}""", 400, "input[0][63] must be a number" },
        { "unknown model", "/v1/embeddings", $$"""{"model": "nope", "input": {{Floats64}}}""", 404, "model 'nope' is not served" },
        { "unknown version", "/v1/embeddings", $$"""{"model": "toy@9", "input": {{Floats64}}}""", 404, "no version '9'; its versions are [1, 2]" },
        { "malformed model name", "/v1/embeddings", $$"""{"model": "toy@1@2", "input": {{Floats64}}}""", 422, "'name' or 'name@version'" },
        { "model a number", "/v1/embeddings", $$"""{"model": 5, "input": {{Floats64}}}""", 400, "$.model must be a string" },
        { "unknown encoding format", "/v1/embeddings", $$"""{"input": {{Floats64}}, "encoding_format": "floats"}""", 422, "'float' or 'base64', but was 'floats'" },
        { "encoding format a number", "/v1/embeddings", $$"""{"input": {{Floats64}}, "encoding_format": 1}""", 400, "$.encoding_format must be a string" },
        { "too many items", "/v1/embeddings", $$"""{"input": [{{string.Join(",", Enumerable.Repeat(Floats64, ServiceFixture.MaxItems + 1))}}]}""", 413, "at most 8 items" },
        { "decompression bomb", "/v1/embeddings", $$"""{"input": "{{Convert.ToBase64String(PngWriter.HeaderOnly(20_000, 20_000))}}"}""", 413, "at most 10000 pixels, but was 20000×20000" },
        { "quality: neither form", "/v1/quality", "{}", 400, "embeddings is required" },
        { "quality: both forms", "/v1/quality", $$"""{"embeddings": {{Square}}, "input": {{Floats64}}}""", 400, "not both" },
        { "quality: model without input", "/v1/quality", $$"""{"embeddings": {{Square}}, "model": "toy"}""", 400, "model applies only to the image form" },
        { "quality: embeddings a string", "/v1/quality", """{"embeddings": "x"}""", 400, "embeddings must be an array of rows" },
        { "quality: row a number", "/v1/quality", """{"embeddings": [[1, 0], 5]}""", 400, "embeddings[1] must be an array of numbers" },
        { "quality: value a string", "/v1/quality", """{"embeddings": [[1, "a"], [0, 1]]}""", 400, "embeddings[0][1] must be a number" },
        { "quality: empty", "/v1/quality", """{"embeddings": []}""", 422, "at least 2 rows, but had 0" },
        { "quality: one row", "/v1/quality", """{"embeddings": [[1, 0]]}""", 422, "at least 2 rows, but had 1" },
        { "quality: ragged rows", "/v1/quality", """{"embeddings": [[1, 0], [0, 1, 0]]}""", 422, "row 0 has 2 values, but row 1 has 3" },
        { "quality: non-unit rows", "/v1/quality", """{"embeddings": [[3, 4], [1, 0]]}""", 422, "row 0 has L2 norm 5" },
        { "quality: zero row with normalize", "/v1/quality", """{"embeddings": [[0, 0], [1, 0]], "normalize": true}""", 422, "all zeros" },
        { "quality: infinite value", "/v1/quality", """{"embeddings": [[1e999, 0], [1, 0]]}""", 422, "embeddings[0][0] is 1e999" },
        { "quality: alpha negative", "/v1/quality", $$"""{"embeddings": {{Square}}, "positives": {{Square}}, "alpha": -1}""", 422, "alpha must be a finite number > 0" },
        { "quality: t zero", "/v1/quality", $$"""{"embeddings": {{Square}}, "t": 0}""", 422, "t must be a finite number > 0" },
        { "quality: alpha a string", "/v1/quality", $$"""{"embeddings": {{Square}}, "alpha": "two"}""", 400, "$.alpha" },
        { "quality: normalize a string", "/v1/quality", $$"""{"embeddings": {{Square}}, "normalize": "yes"}""", 400, "$.normalize must be true or false" },
        { "quality: positives of another shape", "/v1/quality", $$"""{"embeddings": {{Square}}, "positives": [[1, 0], [0, 1]]}""", 422, "embeddings has 4 rows, but positives has 2" },
        { "quality: labels too few", "/v1/quality", $$"""{"embeddings": {{Square}}, "labels": [1, 2]}""", 422, "4 embeddings, but 2 labels" },
        { "quality: fractional label", "/v1/quality", $$"""{"embeddings": {{Square}}, "labels": [1, 2, 1.5, 2]}""", 422, "labels[2] must be an integer or a string, but was 1.5" },
        { "quality: boolean label", "/v1/quality", $$"""{"embeddings": {{Square}}, "labels": [true, 1, 2, 3]}""", 400, "labels[0] must be an integer or a string" },
        { "quality: labels an object", "/v1/quality", $$"""{"embeddings": {{Square}}, "labels": {"a": 1} }""", 400, "labels must be an array" },
        { "quality: too many values", "/v1/quality", $$"""{"embeddings": [{{string.Join(",", Enumerable.Repeat(Numbers(16), 300))}}]}""", 413, "300×16 = 4800 values, but at most 4096" },
        { "quality: image form, unknown model", "/v1/quality", $$"""{"model": "nope", "input": [{{Floats64}}, {{Floats64}}]}""", 404, "model 'nope' is not served" },
        { "quality: image form, one image", "/v1/quality", $$"""{"input": [{{Floats64}}]}""", 422, "at least 2 rows, but had 1" },
        { "quality: image form, bad image", "/v1/quality", """{"input": ["AAAA", "AAAA"]}""", 400, "input[0]: image of 3 bytes cannot be decoded" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task IsAnswered4xxWithAProblemThatSaysWhatWasWrong(string name, string route, string body, int status, string detail)
    {
        service.Require();

        var response = await service.Client.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Http.Problem(response, status, detail);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]), name);
    }

    [SkippableFact]
    public async Task ABodyOverTheLimitIs413BeforeItIsParsed()
    {
        service.Require();
        var body = "{\"input\": \"" + new string('A', ServiceFixture.MaxBody) + "\"}";

        var response = await service.Client.PostAsync("/v1/embeddings", new StringContent(body, Encoding.UTF8, "application/json"));

        await Http.Problem(response, 413, $"at most {ServiceFixture.MaxBody} bytes");
    }

    [SkippableFact]
    public async Task AWrongContentTypeIs415WithADetail()
    {
        service.Require();

        var response = await service.Client.PostAsync("/v1/embeddings", new StringContent("{}", Encoding.UTF8, "text/plain"));

        await Http.Problem(response, 415, "Content-Type: application/json", "application/x-npy", "but the Content-Type was 'text/plain");
    }

    [SkippableFact]
    public async Task AnUnknownRouteIs404AndAWrongMethodIs405()
    {
        service.Require();

        await Http.Problem(await service.Client.GetAsync("/v1/nope"), 404, "no route GET /v1/nope");
        await Http.Problem(await service.Client.GetAsync("/v1/embeddings"), 405, "does not take GET");
    }

    [Fact]
    public void TheTableHasAtLeastThirtyCases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

    private static string Numbers(int count, string? last = null)
    {
        var values = Enumerable.Range(0, count).Select(i => (0.01 * i).ToString("R", CultureInfo.InvariantCulture)).ToList();
        if (last is not null)
        {
            values.Add(last);
        }

        return "[" + string.Join(",", values) + "]";
    }
}
