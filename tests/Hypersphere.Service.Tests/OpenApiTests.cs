using System.Text.Json.Nodes;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

[Collection(SharedService.Name)]
public sealed class OpenApiTests(ServiceFixture service)
{
    [SkippableFact]
    public async Task TheDocumentListsEveryRouteWithRequestAndResponseSchemas()
    {
        service.Require();

        var document = await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json"));

        var paths = document["paths"]!.AsObject();
        Assert.NotNull(paths["/healthz/live"]!["get"]);
        Assert.NotNull(paths["/healthz/ready"]!["get"]!["responses"]!["503"]);
        Assert.NotNull(paths["/v1/models"]!["get"]);
        var embeddings = paths["/v1/embeddings"]!["post"]!;
        Assert.Equal("#/components/schemas/EmbeddingRequest", (string?)embeddings["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        Assert.NotNull(embeddings["responses"]!["413"]);
        var quality = paths["/v1/quality"]!["post"]!;
        Assert.Equal("#/components/schemas/QualityReport", (string?)quality["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        var live = paths["/v1/models/{model}/quality"]!["get"]!;
        Assert.Equal("#/components/schemas/LiveQuality", (string?)live["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        Assert.All(["404", "409"], status => Assert.NotNull(live["responses"]![status]!["content"]!["application/problem+json"]));

        var schemas = document["components"]!["schemas"]!;
        Assert.NotNull(schemas["EmbeddingRequest"]!["properties"]!["input"]!["oneOf"]);
        Assert.NotNull(schemas["EmbeddingRequest"]!["properties"]!["encoding_format"]);
        Assert.NotNull(schemas["EmbeddingRequest"]!["examples"]);
        Assert.NotNull(schemas["EmbeddingResponse"]!["properties"]!["usage"]);
        Assert.NotNull(schemas["QualityRequest"]!["properties"]!["embeddings"]!["items"]);
        Assert.NotNull(schemas["QualityReport"]!["properties"]!["uniformity"]);
        Assert.Equal("#/components/schemas/QualityReport", (string?)schemas["LiveQuality"]!["properties"]!["report"]!["$ref"]);
    }

    [SkippableFact]
    public async Task TheEmbeddingsRouteDocumentsItsNpyFormAsBinaryWithItsQueryParameters()
    {
        service.Require();

        var document = await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json"));

        var embeddings = document["paths"]!["/v1/embeddings"]!["post"]!;
        foreach (var content in new[] { embeddings["requestBody"]!["content"]!, embeddings["responses"]!["200"]!["content"]! })
        {
            Assert.NotNull(content["application/json"]!["schema"]!["$ref"]);
            var npy = content["application/x-npy"]!["schema"]!;
            Assert.Equal("string", (string?)npy["type"]);
            Assert.Equal("binary", (string?)npy["format"]);
            Assert.Contains(".npy", (string?)npy["description"], StringComparison.Ordinal);
        }

        var query = embeddings["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").ToDictionary(p => (string)p!["name"]!, p => (string?)p!["description"]);
        Assert.Equal(["encoding_format", "model"], query.Keys.Order(StringComparer.Ordinal));
        Assert.All(query.Values, d => Assert.StartsWith("For a .npy body", d, StringComparison.Ordinal));
        Assert.Contains("415", embeddings["responses"]!.AsObject().Select(r => r.Key));
    }

    [SkippableFact]
    public async Task TheBearerKeySchemesAreHttpBearerAndNameTheirSettings()
    {
        service.Require();

        var document = await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json"));

        var schemes = document["components"]?["securitySchemes"]?.AsObject();
        Assert.NotNull(schemes);
        Assert.Equal(["admin_key", "api_key"], schemes.Select(s => s.Key).Order(StringComparer.Ordinal));
        foreach (var (name, setting) in new[] { ("api_key", "Hypersphere:ApiKeys"), ("admin_key", "Hypersphere:AdminKeys") })
        {
            var scheme = schemes[name]!;
            Assert.Equal("http", (string?)scheme["type"]);
            Assert.Equal("bearer", (string?)scheme["scheme"]);
            Assert.Contains(setting, (string?)scheme["description"], StringComparison.Ordinal);
            Assert.Contains("non-empty", (string?)scheme["description"], StringComparison.Ordinal);
        }

        Assert.Null(document["security"]); // no document-wide requirement: health and metrics stay open
    }

    [SkippableFact]
    public async Task EveryV1OperationRequiresTheApiKeyAndDocumentsA401()
    {
        service.Require();

        var operations = Operations(await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json")), "/v1/");

        Assert.Contains(operations, o => o.Name == "GET /v1/models");
        Assert.Contains(operations, o => o.Name == "POST /v1/embeddings");
        Assert.Contains(operations, o => o.Name == "POST /v1/quality");
        foreach (var (name, operation) in operations)
        {
            Assert.True(Requirements(operation) == "api_key", $"{name} requires [{Requirements(operation)}], not [api_key]");
            Assert.True(operation["responses"]?["401"]?["content"]?["application/problem+json"] is not null, $"{name} documents no 401 problem");
        }
    }

    [SkippableFact]
    public async Task EveryAdminOperationRequiresTheAdminKeyAndDocumentsA401()
    {
        service.Require();

        var operations = Operations(await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json")), "/admin/");

        Assert.Contains(operations, o => o.Name == "POST /admin/reload");
        foreach (var (name, operation) in operations)
        {
            Assert.True(Requirements(operation) == "admin_key", $"{name} requires [{Requirements(operation)}], not [admin_key]");
            Assert.True(operation["responses"]?["401"]?["content"]?["application/problem+json"] is not null, $"{name} documents no 401 problem");
        }
    }

    [SkippableFact]
    public async Task HealthMetricsAndEveryOtherOperationRequireNoKey()
    {
        service.Require();

        var document = await Http.OkJson(await service.Client.GetAsync("/openapi/v1.json"));
        var open = Operations(document, "/")
            .Where(o => !o.Name.Contains(" /v1/", StringComparison.Ordinal) && !o.Name.Contains(" /admin/", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(open, o => o.Name == "GET /healthz/live");
        Assert.Contains(open, o => o.Name == "GET /healthz/ready");
        foreach (var (name, operation) in open) // /metrics too, should it ever be listed
        {
            Assert.True(Requirements(operation) == "", $"{name} requires [{Requirements(operation)}], but it is open");
            Assert.Null(operation["responses"]?["401"]);
        }
    }

    /// <summary>Every operation under <paramref name="prefix"/>, named "METHOD /path".</summary>
    private static List<(string Name, JsonNode Operation)> Operations(JsonNode document, string prefix) =>
        document["paths"]!.AsObject()
            .Where(path => path.Key.StartsWith(prefix, StringComparison.Ordinal))
            .SelectMany(path => path.Value!.AsObject().Select(method => ($"{method.Key.ToUpperInvariant()} {path.Key}", method.Value!)))
            .ToList();

    /// <summary>The operation's security: alternatives joined by " | ", schemes of one requirement by " + "; "" for none.</summary>
    private static string Requirements(JsonNode operation) =>
        string.Join(" | ", (operation["security"]?.AsArray() ?? []).Select(requirement =>
            string.Join(" + ", requirement!.AsObject().Select(scheme => scheme.Key).Order(StringComparer.Ordinal))));

    [SkippableFact]
    public async Task SwaggerUiIsServedAtSwagger()
    {
        service.Require();

        var response = await service.Client.GetAsync("/swagger");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);
    }
}
