using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>
/// <c>POST /v1/quality</c>'s HTML report (Accept: text/html) and its multipart/form-data form of .npy files, the plane
/// of the served models and the page's static files, on the shared in-process service (toy models, small limits).
/// </summary>
[Collection(SharedService.Name)]
public sealed class QualityReportTests(ServiceFixture service)
{
    private static readonly double[][] X = UnitRows(40, 8, seed: 3);
    private static readonly double[][] Y = X.Select((row, i) => Normalise(row.Select((v, j) => v + (0.2 * Math.Cos((3 * i) + j))).ToArray())).ToArray();
    private static readonly string[] Names = Enumerable.Range(0, 40).Select(i => new[] { "cat", "dog", "<b>bird</b>" }[i % 3]).ToArray();

    public static TheoryData<string> JsonAccepts => ["(none)", "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, application/json", "application/*", "text/html;q=0", ";;;"];

    public static TheoryData<string> HtmlAccepts => ["text/html", "text/html;q=0.9, */*;q=0.1", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/*", "TEXT/HTML"];

    [SkippableTheory]
    [MemberData(nameof(JsonAccepts))]
    public async Task JsonStaysTheDefault(string accept)
    {
        service.Require();
        using var request = Post(Http.Json(new { embeddings = X }), accept);

        using var response = await service.Client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(40, (int)JsonNode.Parse(body)!["n"]!);
        Assert.Equal(SecurityHeaders.DataPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [SkippableTheory]
    [MemberData(nameof(HtmlAccepts))]
    public async Task AcceptTextHtmlAnswersTheReportWithAStrictPolicy(string accept)
    {
        service.Require();
        using var request = Post(Http.Json(new { embeddings = X, positives = Y, labels = Names }), accept);

        using var response = await service.Client.SendAsync(request);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(SecurityHeaders.ReportPolicy, policy);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", policy, StringComparison.Ordinal); // no script at all: default-src 'none' covers it
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bird</b>", html, StringComparison.Ordinal); // the label is escaped wherever it appears
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [SkippableTheory]
    [InlineData("text/html")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    public async Task ErrorsStayProblemDocumentsWhenHtmlIsAsked(string accept)
    {
        service.Require();
        using var json = Post(Http.Json(new { embeddings = new[] { new[] { 3.0, 4.0 }, [1.0, 0.0] } }), accept);
        await Http.Problem(await service.Client.SendAsync(json), 422, "normalize");

        using var form = Post(Form(("embeddings", Npy64(X), "x.npy"), ("t", "abc"u8.ToArray(), null)), accept);
        await Http.Problem(await service.Client.SendAsync(form), 400, "t must be a number, but was 'abc'");
    }

    [SkippableFact]
    public async Task TheFormGivesTheJsonFormsNumbersAndTheIndependentOnes()
    {
        service.Require();
        var labelText = Encoding.UTF8.GetBytes(string.Join("\r\n", Names) + "\n\n");

        var fromForm = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Form(
            ("embeddings", Npy32(X), "x.npy"), ("positives", Npy64(Y), "y.npy"), ("labels", labelText, "labels.txt"), ("alpha", "1.5"u8.ToArray(), null), ("t", " 3 "u8.ToArray(), null))));
        var fromJson = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = X.Select(r => r.Select(v => (double)(float)v)), positives = Y, labels = Names, alpha = 1.5, t = 3.0 })));

        Assert.Equal(fromJson.ToJsonString(), fromForm.ToJsonString());
        // Independent of Core: the paper's formulas over the float32-rounded rows, in plain loops.
        var x = X.Select(r => r.Select(v => (double)(float)v).ToArray()).ToArray();
        var alignment = x.Zip(Y, (a, b) => Math.Pow(Math.Sqrt(a.Zip(b, (p, q) => (p - q) * (p - q)).Sum()), 1.5)).Average();
        Assert.Equal(alignment, (double)fromForm["alignment"]!, 1e-9);
        var terms = new List<double>();
        for (var i = 0; i < x.Length; i++)
        {
            for (var j = i + 1; j < x.Length; j++)
            {
                terms.Add(Math.Exp(-3 * x[i].Zip(x[j], (p, q) => (p - q) * (p - q)).Sum()));
            }
        }

        Assert.Equal(Math.Log(terms.Average()), (double)fromForm["uniformity"]!, 1e-9);
        Assert.Equal(1.5, (double)fromForm["alpha"]!);
        Assert.Equal(3.0, (double)fromForm["t"]!);
    }

    [SkippableFact]
    public async Task LabelsAsNpyIntegersAndAsTextAreTheSameClasses()
    {
        service.Require();
        var ids = Enumerable.Range(0, 40).Select(i => (long)(i % 3)).ToArray();

        var npy = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy64(X), null), ("labels", NpyBytes.File("{'descr': '<i8', 'fortran_order': False, 'shape': (40,), }", NpyBytes.Int64(ids)), "labels.npy"))));
        var text = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy64(X), null), ("labels", Encoding.UTF8.GetBytes("\uFEFF" + string.Join("\n", ids)), "labels.txt"))));

        Assert.NotNull(npy["knn_accuracy"]);
        Assert.Equal(npy["knn_accuracy"]!.ToJsonString(), text["knn_accuracy"]!.ToJsonString());
    }

    [SkippableFact]
    public async Task TheFormHasTheJsonFormsLimitsAndMessages()
    {
        service.Require();
        // MaxQualityValues is 4096 here: 600 × 8 = 4800 values, refused from the header, before the values are read.
        var big = UnitRows(600, 8, seed: 4);
        var json = await Http.Problem(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = big })), 413);
        var form = await Http.Problem(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy32(big), "big.npy"))), 413);
        Assert.Equal((string?)json["detail"], (string?)form["detail"]);
        Assert.Contains("Hypersphere:MaxQualityValues", (string?)form["detail"], StringComparison.Ordinal);

        var shortLabels = Names.Take(39).ToArray();
        var jsonLabels = await Http.Problem(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = X, labels = shortLabels })), 422);
        var formLabels = await Http.Problem(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy64(X), null), ("labels", Encoding.UTF8.GetBytes(string.Join("\n", shortLabels)), null))), 422);
        Assert.Equal((string?)jsonLabels["detail"], (string?)formLabels["detail"]);

        var unnormalised = X.Select(r => r.Select(v => 2 * v).ToArray()).ToArray();
        var jsonUnit = await Http.Problem(await service.Client.PostAsync("/v1/quality", Http.Json(new { embeddings = unnormalised })), 422);
        var formUnit = await Http.Problem(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy64(unnormalised), null))), 422);
        Assert.Equal((string?)jsonUnit["detail"], (string?)formUnit["detail"]);
        var normalised = await Http.OkJson(await service.Client.PostAsync("/v1/quality", Form(("embeddings", Npy64(unnormalised), null), ("normalize", "true"u8.ToArray(), null))));
        Assert.Contains("normalize", normalised["warnings"]![0]!.ToString(), StringComparison.Ordinal);

        var body = new byte[ServiceFixture.MaxBody + 1];
        await Http.Problem(await service.Client.PostAsync("/v1/quality", Form(("embeddings", body, "huge.npy"))), 413, "Hypersphere:MaxBodyBytes");
    }

    public static TheoryData<string, string, int, string> HostileForms => new()
    {
        { "no boundary", "multipart/form-data", 400, "no boundary" },
        { "a boundary of 71 characters", "multipart/form-data; boundary=" + new string('b', 71), 400, "at most 70" },
        { "no closing boundary", "multipart/form-data; boundary=XYZ", 400, "closing boundary" },
        { "an unknown part", "unknown", 400, "a part named 'model'" },
        { "a duplicate part", "duplicate", 400, "the part 'embeddings' twice" },
        { "a part without a name", "unnamed", 400, "no name" },
        { "a part that is not form-data", "attachment", 400, "Content-Disposition: form-data" },
        { "int64 embeddings", "int64", 400, "dtype '<i8'" },
        { "float labels", "float-labels", 400, "labels must be integers" },
        { "text embeddings", "text", 400, "does not start with the .npy magic" },
        { "no embeddings part", "no-embeddings", 400, "needs a part 'embeddings'" },
        { "invalid UTF-8 labels", "bad-utf8", 400, "not valid UTF-8" },
        { "part headers of 20 KB", "huge-headers", 400, "malformed" },
        { "a 1-row matrix", "one-row", 422, "at least 2" },
        { "alpha -1", "alpha", 422, "alpha" },
        { "a long field", "long-field", 400, "short form field" },
    };

    [SkippableTheory]
    [MemberData(nameof(HostileForms))]
    public async Task AHostileFormIsAProblemNeverAFault(string name, string kind, int status, string fragment)
    {
        service.Require();
        HttpContent content = kind.StartsWith("multipart/", StringComparison.Ordinal)
            ? Raw(kind, Encoding.ASCII.GetBytes("--XYZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n2\r\n"))
            : kind switch

            {
                "unknown" => Form(("embeddings", Npy64(X), null), ("model", "toy"u8.ToArray(), null)),
                "duplicate" => Form(("embeddings", Npy64(X), null), ("embeddings", Npy64(X), null)),
                "unnamed" => Raw("multipart/form-data; boundary=XYZ", Encoding.ASCII.GetBytes("--XYZ\r\nContent-Disposition: form-data\r\n\r\n2\r\n--XYZ--\r\n")),
                "attachment" => Raw("multipart/form-data; boundary=XYZ", Encoding.ASCII.GetBytes("--XYZ\r\nContent-Disposition: attachment; name=\"t\"\r\n\r\n2\r\n--XYZ--\r\n")),
                "int64" => Form(("embeddings", NpyBytes.File("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", new byte[32]), null)),
                "float-labels" => Form(("embeddings", Npy64(X), null), ("labels", Npy32(X), null)),
                "text" => Form(("embeddings", "1,0\n0,1\n"u8.ToArray(), "x.csv")),
                "no-embeddings" => Form(("positives", Npy64(X), null)),
                "bad-utf8" => Form(("embeddings", Npy64(X), null), ("labels", [0x61, 0x0a, 0xC0, 0xAF], null)),
                "huge-headers" => Raw("multipart/form-data; boundary=XYZ", Encoding.ASCII.GetBytes($"--XYZ\r\nContent-Disposition: form-data; name=\"t\"\r\nX-Padding: {new string('p', 20_000)}\r\n\r\n2\r\n--XYZ--\r\n")),
                "one-row" => Form(("embeddings", Npy64([[1.0, 0.0]]), null)),
                "alpha" => Form(("embeddings", Npy64(X), null), ("positives", Npy64(Y), null), ("alpha", "-1"u8.ToArray(), null)),
                "long-field" => Form(("embeddings", Npy64(X), null), ("t", Encoding.ASCII.GetBytes(new string('9', 100)), null)),
                _ => throw new ArgumentException(kind),
            };

        using var response = await service.Client.PostAsync("/v1/quality", content);

        var problem = await Http.Problem(response, status, fragment);
        Assert.False(string.IsNullOrEmpty((string?)problem["error"]!["code"]), name);
        await Http.OkJson(await service.Client.GetAsync("/healthz/ready"));
    }

    [SkippableFact]
    public async Task AnotherMediaTypeIs415NamingTheForm()
    {
        service.Require();

        var problem = await Http.Problem(await service.Client.PostAsync("/v1/quality", Raw("multipart/mixed; boundary=XYZ", "--XYZ--\r\n"u8.ToArray())), 415, "multipart/form-data", "'multipart/mixed; boundary=XYZ'");

        Assert.Equal("unsupported_media_type", (string?)problem["error"]!["code"]);
    }

    [SkippableFact]
    public async Task ThePlaneOfTheServedModelsIsAnSvgWithAPointPerScoredCard()
    {
        service.Require();

        using var response = await service.Client.GetAsync("/v1/models/plane");

        var svg = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task ThePageIsServedWithItsPolicyAndTheDataRoutesKeepTheirs()
    {
        service.Require();

        foreach (var (path, type) in new[] { ("/", "text/html"), ("/index.html", "text/html"), ("/app.js", "text/javascript"), ("/style.css", "text/css"), ("/favicon.svg", "image/svg+xml") })
        {
            using var response = await service.Client.GetAsync(path);
            Assert.True(200 == (int)response.StatusCode, $"{path}: {(int)response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }

        using var page = await service.Client.GetAsync("/");
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(SecurityHeaders.PagePolicy, policy);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Matches("<script src=\"app.js\" defer></script>", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("href=\"swagger\"", html, StringComparison.Ordinal);

        using var models = await service.Client.GetAsync("/v1/models");
        Assert.Equal(SecurityHeaders.DataPolicy, models.Headers.GetValues("Content-Security-Policy").Single());
        await Http.Problem(await service.Client.PostAsync("/", Http.Json("{}")), 404);
    }

    [SkippableFact]
    public async Task TheOpenApiDocumentListsBothAnswersTheFormAndThePlane()
    {
        service.Require();

        var document = await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json"));

        var quality = document["paths"]!["/v1/quality"]!["post"]!;
        var ok = quality["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal("#/components/schemas/QualityReport", (string?)ok["application/json"]!["schema"]!["$ref"]);
        Assert.Equal("string", (string?)ok["text/html"]!["schema"]!["type"]);
        Assert.Contains("Accept: text/html", (string?)ok["text/html"]!["schema"]!["description"], StringComparison.Ordinal);
        var form = quality["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;
        Assert.Equal("binary", (string?)form["properties"]!["embeddings"]!["format"]);
        Assert.Equal(["alpha", "embeddings", "labels", "normalize", "positives", "t"], form["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("embeddings", (string?)form["required"]![0]);
        Assert.NotNull(document["paths"]!["/v1/models/plane"]!["get"]!["responses"]!["200"]!["content"]!["image/svg+xml"]);
    }

    private static HttpRequestMessage Post(HttpContent content, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/quality") { Content = content };
        if (accept != "(none)")
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Bytes, string? FileName)[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes, fileName) in parts)
        {
            var part = new ByteArrayContent(bytes);
            if (fileName is null)
            {
                form.Add(part, name);
            }
            else
            {
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(part, name, fileName);
            }
        }

        return form;
    }

    private static ByteArrayContent Raw(string contentType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static byte[] Npy64(double[][] rows) =>
        NpyBytes.File($"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}", NpyBytes.Float64(rows.SelectMany(r => r)));

    private static byte[] Npy32(double[][] rows) =>
        NpyBytes.File($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}", NpyBytes.Float32(rows.SelectMany(r => r.Select(v => (float)v))));

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
