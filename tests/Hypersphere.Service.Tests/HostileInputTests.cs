using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hypersphere.Service.Tests.Hostile;
using Hypersphere.Service.Tests.Support;
using Xunit.Abstractions;

namespace Hypersphere.Service.Tests;

/// <summary>
/// Requests no client library would send, on a real Kestrel port: a seeded fuzz run over every route, body form
/// and Accept header, then the named hostile cases with their exact statuses. Every answer must keep the error
/// contract (<see cref="ErrorContract"/>), and the service must still be ready afterwards.
/// </summary>
public sealed class HostileInputTests(HostileServer server, ITestOutputHelper output) : IClassFixture<HostileServer>
{
    private const int Seed = 20_261_203, Requests = 2_000;
    private static readonly string Floats64 = "[" + string.Join(",", Enumerable.Range(0, 64).Select(i => (0.01 * i).ToString("R", CultureInfo.InvariantCulture))) + "]";
    private static readonly string Square = "[[1,0],[0,1],[-1,0],[0,-1]]";

    // Duplicate keys: the first value is invalid (404 or 422) and the last valid (200), so keeping either one fails; only a 400 passes.
    private static readonly Dictionary<string, (string Target, string ContentType, byte[] Body, int[] Statuses, string? Detail)> Named = new()
    {
        ["a lone high surrogate as the input"] = ("/v1/embeddings", "application/json", Utf8("""{"input": "\ud800"}"""), [400], null),
        ["a lone low surrogate as a quality label"] = ("/v1/quality", "application/json", Utf8($$"""{"embeddings": {{Square}}, "labels": ["\udfff", "a", "b", "a"]}"""), [400], null),
        ["invalid UTF-8 in the model name"] = ("/v1/embeddings", "application/json", [.. Utf8("{\"model\": \"t"), 0xFF, 0xFE, .. Utf8("\", \"input\": " + Floats64 + "}")], [400], null),
        ["invalid UTF-8 in a quality label"] = ("/v1/quality", "application/json", [.. Utf8("{\"embeddings\": " + Square + ", \"labels\": [\"a"), 0xC0, 0xAF, .. Utf8("\", \"b\", \"a\", \"b\"]}")], [400], null),
        ["an empty Content-Type"] = ("/v1/embeddings", string.Empty, Utf8($$"""{"input": {{Floats64}}}"""), [400, 415], null),
        ["Content-Type application/json;;;"] = ("/v1/embeddings", "application/json;;;", Utf8($$"""{"input": {{Floats64}}}"""), [400, 415], null),
        ["a duplicate model key"] = ("/v1/embeddings", "application/json", Utf8($$"""{"model":"nope","model":"toy","input":{{Floats64}}}"""), [400], "model"),
        ["a duplicate input key"] = ("/v1/embeddings", "application/json", Utf8($$"""{"input":[],"input":{{Floats64}}}"""), [400], "input"),
        ["a duplicate alpha key in a quality request"] = ("/v1/quality", "application/json", Utf8($$"""{"embeddings":{{Square}},"positives":{{Square}},"alpha":-1,"alpha":2}"""), [400], "alpha"),
        ["a .npy header length of 0xffffffff"] = ("/v1/embeddings", "application/x-npy", NpyMutations.WithHeaderLength(0xffffffff), [400], null),
        ["a .npy header length of 0x7fffffff"] = ("/v1/embeddings", "application/x-npy", NpyMutations.WithHeaderLength(0x7fffffff), [400], null),
        ["a .npy header length of 0xffff past the end of the body"] = ("/v1/embeddings", "application/x-npy", NpyMutations.WithHeaderLength(0xffff), [400, 422], null),
        ["a .npy shape (abc,)"] = ("/v1/embeddings", "application/x-npy", NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (abc,), }", new byte[64]), [400], null),
        ["a .npy shape of 2^70 × 28 × 28"] = ("/v1/embeddings", "application/x-npy", NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (1180591620717411303424, 28, 28), }", new byte[784]), [400], null),
        ["a .npy shape of 2^70 × 8 × 8"] = ("/v1/embeddings", "application/x-npy", NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (1180591620717411303424, 8, 8), }", new byte[64]), [400], null),
        ["quality alpha 1e6"] = ("/v1/quality", "application/json", Utf8($$"""{"embeddings":{{Square}},"positives":[[0,1],[-1,0],[0,-1],[1,0]],"alpha":1e6}"""), [200, 422], null),
        ["quality t 1e300"] = ("/v1/quality", "application/json", Utf8($$"""{"embeddings":{{Square}},"t":1e300}"""), [200, 422], null),
        ["a quality form without a boundary"] = ("/v1/quality", "multipart/form-data", FormMutations.Valid(new Random(1)).Bytes, [400], "no boundary"),
        ["a quality form cut before its closing boundary"] = ("/v1/quality", "multipart/form-data; boundary=hs-fuzz-7c1e", FormMutations.Valid(new Random(1)).Bytes[..^20], [400], "closing boundary"),
        ["a quality form with an unknown part"] = ("/v1/quality", "multipart/form-data; boundary=B", Utf8("--B\r\nContent-Disposition: form-data; name=\"input\"\r\n\r\n1\r\n--B--\r\n"), [400], "a part named 'input'"),
        ["a quality form with the embeddings part twice"] = ("/v1/quality", "multipart/form-data; boundary=B", Utf8("--B\r\nContent-Disposition: form-data; name=\"embeddings\"\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name=\"embeddings\"\r\n\r\n1\r\n--B--\r\n"), [400], "twice"),
        ["a quality form of int8 embeddings"] = ("/v1/quality", "multipart/form-data; boundary=B", [.. Utf8("--B\r\nContent-Disposition: form-data; name=\"embeddings\"; filename=\"x.npy\"\r\n\r\n"), .. NpyBytes.File("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }", new byte[4]), .. Utf8("\r\n--B--\r\n")], [400], "dtype '|i1'"),
        ["a quality form with 64 KB of part headers"] = ("/v1/quality", "multipart/form-data; boundary=B", Utf8($"--B\r\nContent-Disposition: form-data; name=\"t\"\r\nX-Pad: {new string('p', 65_536)}\r\n\r\n2\r\n--B--\r\n"), [400], "malformed"),
        ["a PNG whose IHDR claims 2^31-1 × 2^31-1"] = ("/v1/embeddings", "application/json", Utf8($$"""{"input": ["{{Convert.ToBase64String(PngWriter.HeaderOnly(int.MaxValue, int.MaxValue))}}"]}"""), [400, 413], null),
    };

    public static TheoryData<string> NamedCases => [.. Named.Keys];

    public static TheoryData<string> AcceptHeaders => [.. HostileRequests.AcceptHeaders.Select(a => a ?? "(none)")];

    [SkippableFact]
    public async Task TwoThousandSeededMalformedRequestsAllGetProblemDocumentsAndNoFault()
    {
        server.Require();
        output.WriteLine($"seed {Seed}: {Requests} requests against {server.Address}");
        var generator = new HostileRequests(Seed, ToyModels.ImageSize);
        // Generated up front, so the sequence depends on the seed alone, not on the order answers come back in.
        var requests = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToArray();
        var findings = new ConcurrentQueue<Finding>();
        var slowest = new ConcurrentBag<(double Seconds, string Request)>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await server.SendAsync(request.Bytes);
            slowest.Add((Stopwatch.GetElapsedTime(started).TotalSeconds, $"{request.Route} {request.Mutation} → {answer?.Status}"));
            statuses.AddOrUpdate(answer?.Status ?? 0, 1, (_, n) => n + 1);
            foreach (var violation in ErrorContract.Violations(answer, request.BodyExpected, request.Framing, server.ModelsRoot, leaksChecked: !request.Documentation))
            {
                findings.Enqueue(new Finding(request, answer, violation));
            }
        });

        clock.Stop();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine("slowest: " + string.Join("; ", slowest.OrderByDescending(s => s.Seconds).Take(5).Select(s => $"{s.Seconds:F2} s {s.Request}")));
        var ready = await server.SendAsync("GET", "/healthz/ready", null);
        if (ready?.Status != 200)
        {
            findings.Enqueue(new Finding(new HostileRequest("GET /healthz/ready", "after the run", [], true, false, false), ready, $"{ready?.Status ?? 0} from the readiness probe after the run (wanted 200)"));
        }

        // The run must reach the parsers: bodies the mutations start from are answered 200, and most answers are 4xx past the key check.
        Assert.True(statuses.GetValueOrDefault(200) >= 20, $"only {statuses.GetValueOrDefault(200)} answers were 200: the unmutated requests do not work, so the mutations test nothing");
        Assert.True(statuses.Where(s => s.Key is >= 400 and < 500 and not 401).Sum(s => s.Value) >= Requests / 2, "fewer than half the answers were 4xx other than 401");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(findings.IsEmpty, Findings.Describe(findings, Requests, Seed));
    }

    [SkippableTheory]
    [MemberData(nameof(NamedCases))]
    public async Task ANamedHostileBodyGetsItsExactStatusAndAProblemDocument(string name)
    {
        server.Require();
        var (target, contentType, body, statuses, detail) = Named[name];

        var answer = await server.SendAsync("POST", target, body, ("Content-Type", contentType));

        Assert.NotNull(answer);
        Assert.True(statuses.Contains(answer.Status), $"{name}: expected {string.Join(" or ", statuses)}, got {answer.Status}: {answer.Text}");
        var violations = ErrorContract.Violations(answer, bodyExpected: true, framingRefusedByKestrel: false, server.ModelsRoot, headersChecked: false);
        Assert.True(violations.Count == 0, $"{name}: {string.Join("; ", violations)}: {answer.Text}");
        if (answer.Status == 200)
        {
            AssertEveryNumberFinite(name, answer.Text);
        }

        if (detail is not null)
        {
            var problemDetail = JsonDocument.Parse(answer.Body).RootElement.GetProperty("detail").GetString();
            Assert.True(problemDetail!.Contains(detail, StringComparison.Ordinal), $"{name}: the detail '{problemDetail}' does not name '{detail}'");
        }

        await server.AssertReadyAsync();
    }

    [SkippableTheory]
    [MemberData(nameof(AcceptHeaders))]
    public async Task EveryErrorIsAProblemDocumentWhateverTheAcceptHeader(string accept)
    {
        server.Require();
        (string Name, string Value)[] acceptHeader = accept == "(none)" ? [] : [("Accept", accept)];
        var cases = new (string Name, Task<RawAnswer?> Answer, int Status)[]
        {
            ("unknown route", server.SendAsync("GET", "/v1/nope", null, acceptHeader), 404),
            ("wrong method", server.SendAsync("DELETE", "/v1/embeddings", null, acceptHeader), 405),
            ("no key", server.SendAsync("GET", "/v1/models", null, [.. acceptHeader, ("Authorization", "Bearer wrong")]), 401),
            ("not JSON", server.SendAsync("POST", "/v1/embeddings", Utf8("{"), [.. acceptHeader, ("Content-Type", "application/json")]), 400),
            ("wrong media type", server.SendAsync("POST", "/v1/quality", Utf8("{}"), [.. acceptHeader, ("Content-Type", "text/plain")]), 415),
            ("unknown model", server.SendAsync("POST", "/v1/embeddings?model=nope", NpyBytes.File("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 8, 8), }", new byte[64]), [.. acceptHeader, ("Content-Type", "application/x-npy")]), 404),
        };

        var problems = new List<string>();
        foreach (var (name, pending, status) in cases)
        {
            var answer = await pending;
            if (answer?.Status != status)
            {
                problems.Add($"{name}: expected {status}, got {answer?.Status}: {answer?.Text}");
                continue;
            }

            problems.AddRange(ErrorContract.Violations(answer, bodyExpected: true, framingRefusedByKestrel: false, server.ModelsRoot, headersChecked: false).Select(v => $"{name} ({status}): {v}: [{answer.MediaType}] {answer.Text}"));
        }

        Assert.True(problems.Count == 0, $"Accept: {accept}\n" + string.Join("\n", problems));
        await server.AssertReadyAsync();
    }

    [SkippableFact]
    public async Task EveryAnswerSaysNosniffAndNamesNoServer()
    {
        server.Require();
        var answers = new[]
        {
            await server.SendAsync("GET", "/healthz/live", null),
            await server.SendAsync("GET", "/v1/models", null),
            await server.SendAsync("GET", "/v1/nope", null),
            await server.SendAsync("POST", "/v1/embeddings", Utf8("{"), ("Content-Type", "application/json")),
            await server.SendAsync("GET", "/metrics", null),
        };

        var problems = answers.Select((a, i) => (a, i)).SelectMany(p =>
            (p.a?.Header("x-content-type-options") is "nosniff" ? [] : new[] { $"answer {p.i} ({p.a?.Status}) has no X-Content-Type-Options: nosniff" })
            .Concat(p.a?.Header("server") is { } s ? [$"answer {p.i} ({p.a.Status}) has Server: {s}"] : [])).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task SwaggerUiHasAContentSecurityPolicyThatForbidsFraming()
    {
        server.Require();

        var answer = await server.SendAsync("GET", "/swagger/index.html", null);

        Assert.Equal(200, answer?.Status);
        var policy = answer!.Header("content-security-policy");
        Assert.True(policy?.Contains("frame-ancestors", StringComparison.OrdinalIgnoreCase) == true, $"Content-Security-Policy: {policy ?? "(none)"}");
    }

    [SkippableFact]
    public async Task AForgedHostHeaderDoesNotReachTheOpenApiDocument()
    {
        server.Require();

        var answer = await server.SendAsync("GET", "/openapi/v1.json", null, ("Host", "evil.example:666"));

        Assert.NotNull(answer);
        Assert.True(answer.Status is 200 or 400, $"{answer.Status}: {answer.Text}");
        Assert.DoesNotContain("evil.example", answer.Text, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task KestrelRefusesAnUrlOverItsLimitAndANegativeContentLengthWithoutAFault()
    {
        server.Require();

        var longUrl = await server.SendAsync(Encoding.ASCII.GetBytes($"GET /v1/models?q={new string('a', 8192)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        var negative = await server.SendAsync(Encoding.ASCII.GetBytes("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}"));

        // Kestrel answers both itself, before the app runs, with a status and no body: 414 for a request line over
        // its 8 KB limit, 400 for a Content-Length that is no number of bytes.
        Assert.Equal(414, longUrl?.Status);
        Assert.Equal(400, negative?.Status);
        await server.AssertReadyAsync();
    }

    [SkippableFact]
    public async Task ABodyThatStopsArrivingIsAnswered408WithAProblemDocument()
    {
        server.Require();
        var head = RawHttp.Request("POST", "/v1/embeddings", [("Content-Type", "application/json"), ("Content-Length", "1000"), ("Authorization", "Bearer " + HostileServer.ApiKey)], Utf8("{\"input\": ["));

        var clock = Stopwatch.StartNew();
        var answer = await RawHttp.SendAndStallAsync(server.Address, head, TimeSpan.FromSeconds(60));

        Assert.True(answer is not null, $"no answer within {clock.Elapsed.TotalSeconds:F0} s to a body that stopped after 11 of 1000 bytes");
        Assert.True(answer.Status == 408, $"expected 408 after {clock.Elapsed.TotalSeconds:F1} s, got {answer.Status}: [{answer.MediaType}] {answer.Text}");
        var violations = ErrorContract.Violations(answer, bodyExpected: true, framingRefusedByKestrel: false, server.ModelsRoot, headersChecked: false);
        Assert.True(violations.Count == 0, string.Join("; ", violations) + ": " + answer.Text);
        await server.AssertReadyAsync();
    }

    private static void AssertEveryNumberFinite(string name, string json)
    {
        using var document = JsonDocument.Parse(json);
        var stack = new Stack<JsonElement>([document.RootElement]);
        while (stack.TryPop(out var element))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        stack.Push(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        stack.Push(item);
                    }

                    break;
                case JsonValueKind.Number:
                    Assert.True(double.IsFinite(element.GetDouble()), $"{name}: {element.GetRawText()} in {json}");
                    break;
                case JsonValueKind.String:
                    Assert.False(element.GetString() is "NaN" or "Infinity" or "-Infinity", $"{name}: a non-finite number '{element.GetString()}' in {json}");
                    break;
                default:
                    break;
            }
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
