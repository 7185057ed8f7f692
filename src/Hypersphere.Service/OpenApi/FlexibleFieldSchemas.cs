using System.Text.Json.Nodes;
using Hypersphere.Service.Api;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hypersphere.Service.OpenApi;

/// <summary>
/// The request fields that take more than one JSON shape are <c>JsonElement</c>s in C#, which the generator
/// can only call "anything"; this spells out their shapes (oneOf) and adds request examples.
/// </summary>
internal sealed class FlexibleFieldSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var property = context.JsonPropertyInfo;
        var owner = property?.DeclaringType;
        switch (property?.Name)
        {
            case "input" when owner == typeof(EmbeddingRequest) || owner == typeof(QualityRequest):
                Replace(schema, Items());
                break;
            case "embeddings" when owner == typeof(QualityRequest):
                Replace(schema, Array(Array(Number())));
                break;
            case "positives" when owner == typeof(QualityRequest):
                Replace(schema, OneOf(Array(Array(Number())), Items()));
                break;
            case "labels" when owner == typeof(QualityRequest):
                Replace(schema, Array(OneOf(new OpenApiSchema { Type = JsonSchemaType.Integer }, String())));
                break;
            case "embedding" when owner == typeof(EmbeddingData):
                Replace(schema, OneOf(Array(Number()), String()));
                break;
        }

        if (property is null && context.JsonTypeInfo.Type == typeof(EmbeddingRequest))
        {
            schema.Required = new HashSet<string> { "input" };
            schema.Examples = [JsonNode.Parse("""{"model": "fashion-mnist", "input": ["data:image/png;base64,iVBORw0KGgo..."], "encoding_format": "float"}""")!];
        }
        else if (property is null && context.JsonTypeInfo.Type == typeof(QualityRequest))
        {
            schema.Required = new HashSet<string>(); // either embeddings or input: checked by the endpoint
            schema.Examples = [JsonNode.Parse("""{"embeddings": [[1, 0], [0, 1], [-1, 0], [0, -1]], "positives": [[1, 0], [0, 1], [-1, 0], [0, -1]], "labels": [0, 1, 0, 1], "alpha": 2, "t": 2, "normalize": false}""")!];
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema Items()
    {
        var item = OneOf(String("A base64 PNG, JPEG or BMP image, or a data URL of one."), Array(Number(), "C·H·W preprocessed floats."));
        return OneOf(item, Array(item), Array(Number(), "One item of C·H·W preprocessed floats."));
    }

    private static void Replace(OpenApiSchema schema, OpenApiSchema shape)
    {
        schema.Type = shape.Type;
        schema.Items = shape.Items;
        schema.OneOf = shape.OneOf;
    }

    private static OpenApiSchema OneOf(params IOpenApiSchema[] shapes) => new() { OneOf = [.. shapes] };

    private static OpenApiSchema Array(IOpenApiSchema items, string? description = null) =>
        new() { Type = JsonSchemaType.Array, Items = items, Description = description };

    private static OpenApiSchema Number() => new() { Type = JsonSchemaType.Number };

    private static OpenApiSchema String(string? description = null) => new() { Type = JsonSchemaType.String, Description = description };
}
