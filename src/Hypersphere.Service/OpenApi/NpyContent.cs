using Hypersphere.Service.Api;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hypersphere.Service.OpenApi;

/// <summary>
/// The .npy form of <c>POST /v1/embeddings</c>: the generator gives every declared content type the JSON record's
/// schema; this makes the <c>application/x-npy</c> request and answer binary and describes the query parameters
/// that only a .npy body uses.
/// </summary>
internal sealed class NpyContent : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var accepts = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>();
        if (!accepts.Any(a => a.ContentTypes.Contains(EmbeddingsApi.NpyMediaType)))
        {
            return Task.CompletedTask;
        }

        if (operation.RequestBody?.Content?.ContainsKey(EmbeddingsApi.NpyMediaType) == true)
        {
            operation.RequestBody.Content[EmbeddingsApi.NpyMediaType] = Binary(
                "A NumPy .npy file (C or Fortran order) of images shaped (N, H, W) or (N, C, H, W): uint8 pixels (converted and resized to the model's input), or float32/float64 pixels already scaled to [0, 1] at the model's C×H×W.");
        }

        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.ContainsKey(EmbeddingsApi.NpyMediaType) == true)
        {
            ok.Content[EmbeddingsApi.NpyMediaType] = Binary(
                $"With Accept: {EmbeddingsApi.NpyMediaType}: a NumPy .npy float32 array (N, D) of unit rows; the model is in the {EmbeddingsApi.ModelHeader} header.");
        }

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            parameter.Description = parameter.Name switch
            {
                "model" => "For a .npy body only: the model, `name` or `name@version` (a JSON body names it in its own `model` field).",
                "encoding_format" => "For a .npy body with a JSON answer only: `float` (default) or `base64` (a JSON body has its own `encoding_format` field).",
                _ => parameter.Description,
            };
        }

        return Task.CompletedTask;
    }

    private static OpenApiMediaType Binary(string description) => new()
    {
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = description },
    };
}
