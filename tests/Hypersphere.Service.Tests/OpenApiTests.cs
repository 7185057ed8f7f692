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

        var schemas = document["components"]!["schemas"]!;
        Assert.NotNull(schemas["EmbeddingRequest"]!["properties"]!["input"]!["oneOf"]);
        Assert.NotNull(schemas["EmbeddingRequest"]!["properties"]!["encoding_format"]);
        Assert.NotNull(schemas["EmbeddingRequest"]!["examples"]);
        Assert.NotNull(schemas["EmbeddingResponse"]!["properties"]!["usage"]);
        Assert.NotNull(schemas["QualityRequest"]!["properties"]!["embeddings"]!["items"]);
        Assert.NotNull(schemas["QualityReport"]!["properties"]!["uniformity"]);
    }

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
