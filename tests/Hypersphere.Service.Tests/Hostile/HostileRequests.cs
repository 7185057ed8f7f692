using System.Text;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>One generated request: where it goes, what was done to it, and its bytes on the wire.</summary>
/// <param name="Route">Method and path, for the report.</param>
/// <param name="Mutation">Family and mutation, for the report.</param>
/// <param name="Bytes">The whole request.</param>
/// <param name="BodyExpected">False for HEAD, whose answers have no body.</param>
/// <param name="Framing">Refused by Kestrel before the app runs (only the status is checked).</param>
/// <param name="Documentation">A route whose successful answer documents the service (metrics, OpenAPI, Swagger UI).</param>
public sealed record HostileRequest(string Route, string Mutation, byte[] Bytes, bool BodyExpected, bool Framing, bool Documentation);

/// <summary>
/// Seeded malformed requests over every route, every body form and every Accept header: JSON, .npy, base64 image and
/// multipart form bodies mutated by <see cref="JsonMutations"/>, <see cref="NpyMutations"/>, <see cref="ImageMutations"/>
/// and <see cref="FormMutations"/>,
/// raw garbage, wrong methods and unknown routes, mutated Content-Type and Authorization headers, and broken
/// HTTP framing. Requests carry the right key most of the time, so the mutations reach the parsers.
/// </summary>
public sealed class HostileRequests(int seed, int imageSize)
{
    public static readonly string?[] AcceptHeaders =
        ["application/json", "application/x-npy", "text/html", "*/*", null, ";;;", "application/x-npy;q=abc", "text/html;q=0.9, */*;q=0.1", "application/problem+json", "image/png", "x/y/z;;q="];

    private static readonly string[] Paths =
        ["/v1/embeddings", "/v1/quality", "/v1/compare", "/v1/quality/jobs", "/v1/quality/jobs/0123456789abcdef0123456789abcdef", "/v1/quality/jobs/%2e%2e", "/v1/models", "/v1/models/toy", "/v1/models/toy/quality", "/v1/models/toy@9/quality", "/v1/models/%ff/quality", "/healthz/live", "/healthz/ready", "/admin/reload", "/metrics", "/openapi/v1.json",
         "/swagger/index.html", "/", "/v1", "/v1/", "/v1/nope", "/v2/embeddings", "/v1/embeddings/x", "/v1/embeddings?model=%ff", "/v1/%2e%2e/admin/reload",
         "/v1//embeddings", "/V1/EMBEDDINGS", "/healthz/ready/../../admin/reload", "/%ff%fe", "/v1/embeddings;x=y", "/*", "/v1/quality?x=1&x=2"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO"];

    private static readonly string[] ContentTypes =
        ["", "application/json;;;", "application/json; charset=utf-16", "application/json; charset=\"", "application/json; charset=latin1", "text/json", "application/*",
         "*/*", "application/x-npy", "application/problem+json", "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "application/json, text/plain",
         "APPLICATION/JSON", "text/plain", "application/json; charset=utf-8", "application/x-npy; q=0", "image/png"];

    private readonly Random _random = new(seed);

    public int Seed => seed;

    /// <summary>The next request.</summary>
    public HostileRequest Next()
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 20 => Post("/v1/embeddings", "json", JsonMutations.Embeddings(_random, imageSize), "application/json"),
            < 31 => Post(JsonMutations.Pick(_random, ["/v1/quality", "/v1/quality", "/v1/compare"]), "json", JsonMutations.Quality(_random), "application/json"),
            < 38 => Form(_random.Next(8) == 0 ? FormMutations.Valid(_random) : FormMutations.Next(_random)),
            < 55 => Post(JsonMutations.Pick(_random, ["/v1/embeddings", "/v1/embeddings?model=toy@1", "/v1/embeddings?model=nope", "/v1/embeddings?encoding_format=base64", "/v1/embeddings?model=%ff%fe", "/v1/embeddings?model=toy&model=toy@1", "/v1/quality/jobs", "/v1/quality/jobs?t=abc&exact=1"]), "npy", NpyMutations.Next(_random), "application/x-npy"),
            < 70 => Post(JsonMutations.Pick(_random, ["/v1/embeddings", "/v1/quality"]), "image", ImageMutations.Next(_random, "/v1/embeddings"), "application/json"),
            < 78 => Garbage(),
            < 88 => WrongRoute(),
            < 93 => Headers(),
            < 97 => BodyFraming(),
            _ => Framing(),
        };
    }

    private HostileRequest Post(string target, string family, MutatedBody body, string contentType) =>
        Build("POST", target, $"{family}/{body.Mutation}", body.Bytes, [("Content-Type", contentType)]);

    private HostileRequest Form(MutatedForm form) =>
        Build("POST", "/v1/quality", $"form/{form.Mutation}", form.Bytes, [("Content-Type", form.ContentType)]);

    private HostileRequest Garbage()
    {
        var bytes = new byte[_random.Next(0, 2048)];
        _random.NextBytes(bytes);
        var contentType = JsonMutations.Pick(_random, ["application/json", "application/x-npy", "application/octet-stream", "text/plain"]);
        return Build(JsonMutations.Pick(_random, ["POST", "PUT", "PATCH"]), JsonMutations.Pick(_random, Paths), $"garbage/{bytes.Length}-bytes-as-{contentType}", bytes, [("Content-Type", contentType)]);
    }

    private HostileRequest WrongRoute()
    {
        var method = JsonMutations.Pick(_random, Methods);
        var withBody = method is not ("GET" or "HEAD" or "TRACE") && _random.Next(2) == 0;
        return Build(method, JsonMutations.Pick(_random, Paths), $"route/{method}", withBody ? Encoding.UTF8.GetBytes(JsonMutations.ValidQuality(_random)) : null, withBody ? [("Content-Type", "application/json")] : []);
    }

    private HostileRequest Headers()
    {
        var (target, body) = _random.Next(2) == 0
            ? ("/v1/embeddings", JsonMutations.ValidEmbeddings(_random, imageSize))
            : ("/v1/quality", JsonMutations.ValidQuality(_random));
        var contentType = JsonMutations.Pick(_random, ContentTypes);
        return Build("POST", target, $"content-type/'{contentType}'", Encoding.UTF8.GetBytes(body), [("Content-Type", contentType)]);
    }

    // Framing of the body that the app sees (Kestrel reports a bad chunk while the app reads): full problem documents.
    private HostileRequest BodyFraming()
    {
        var json = Encoding.UTF8.GetBytes(JsonMutations.ValidEmbeddings(_random, imageSize));
        byte[] Chunked(string size, byte[] data) => [.. Encoding.ASCII.GetBytes(size + "\r\n"), .. data, .. "\r\n0\r\n\r\n"u8];
        var (name, headers, body) = _random.Next(5) switch
        {
            0 => ("chunked", new List<(string, string)> { ("Transfer-Encoding", "chunked") }, Chunked($"{json.Length:x}", json)),
            1 => ("chunk-size-not-hex", [("Transfer-Encoding", "chunked")], Chunked("zz", json)),
            2 => ("chunk-extension", [("Transfer-Encoding", "chunked")], Chunked($"{json.Length:x};name=\"value\"", json)),
            3 => ("content-length-over-the-limit", [("Content-Length", "10000000")], "{}"u8.ToArray()),
            _ => ("expect-100-continue", [("Expect", "100-continue")], json),
        };
        headers.Add(("Content-Type", "application/json"));
        return Build("POST", JsonMutations.Pick(_random, ["/v1/embeddings", "/v1/quality"]), $"body-framing/{name}", body, headers);
    }

    // What Kestrel refuses itself, before routing: these answers are Kestrel's own (a status and no body).
    private HostileRequest Framing()
    {
        var (name, request) = _random.Next(9) switch
        {
            0 => ("content-length--1", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nContent-Type: application/json\r\n\r\n{}"),
            1 => ("content-length-abc", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"),
            2 => ("two-content-lengths", "POST /v1/quality HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
            3 => ("header-without-colon", "GET /v1/models HTTP/1.1\r\nHost: x\r\nGarbage\r\n\r\n"),
            4 => ("space-in-header-name", "GET /healthz/live HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n"),
            5 => ("request-line-garbage", "\u0001\u0002 / HTTP/1.1\r\nHost: x\r\n\r\n"),
            6 => ("url-of-8-kb", $"GET /v1/models?q={new string('a', 8192)} HTTP/1.1\r\nHost: x\r\n\r\n"),
            7 => ("no-host", "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n"),
            _ => ("two-hosts", "GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        };
        return new HostileRequest(request[..request.IndexOf(" HTTP", StringComparison.Ordinal)].Split('?')[0], $"framing/{name}", Encoding.Latin1.GetBytes(request), BodyExpected: true, Framing: true, Documentation: false);
    }

    private HostileRequest Build(string method, string target, string mutation, byte[]? body, List<(string Name, string Value)> headers)
    {
        if (AcceptHeaders[_random.Next(AcceptHeaders.Length)] is { } accept)
        {
            headers.Add(("Accept", accept));
            mutation += $" [Accept: {accept}]";
        }

        var key = target.StartsWith("/admin", StringComparison.Ordinal) ? HostileServer.AdminKey : HostileServer.ApiKey;
        var roll = _random.Next(100);
        var (authorization, label) = roll switch
        {
            < 88 => ("Bearer " + key, null),
            < 91 => (null, "no key"),
            < 94 => ("Bearer wrong-key", "wrong key"),
            < 96 => ("Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("a:b")), "Basic scheme"),
            < 98 => ("Bearer", "bare Bearer"),
            _ => ("Bearer " + new string('k', 7000), "7 KB key"),
        };
        if (authorization is not null)
        {
            headers.Add(("Authorization", authorization));
        }

        if (label is not null)
        {
            mutation += $" [{label}]";
        }

        var path = target.Split('?')[0];
        if (target.Length > path.Length)
        {
            mutation += $" [{target[path.Length..]}]";
        }

        var documentation = path is "/metrics" or "/openapi/v1.json" || path.StartsWith("/swagger", StringComparison.Ordinal);
        return new HostileRequest($"{method} {path}", mutation, RawHttp.Request(method, target, headers, body), method != "HEAD", Framing: false, documentation);
    }
}
