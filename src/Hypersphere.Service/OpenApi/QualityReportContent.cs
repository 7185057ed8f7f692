using Hypersphere.Service.Api;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hypersphere.Service.OpenApi;

/// <summary>
/// The two other forms of <c>POST /v1/quality</c>: the generator gives every declared content type the JSON records'
/// schemas; this makes the <c>multipart/form-data</c> request its parts (<see cref="QualityForm"/>) and the
/// <c>text/html</c> answer an HTML string.
/// </summary>
internal sealed class QualityReportContent : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var accepts = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>();
        if (!accepts.Any(a => a.ContentTypes.Contains(QualityForm.MediaType)))
        {
            return Task.CompletedTask;
        }

        if (operation.RequestBody?.Content?.ContainsKey(QualityForm.MediaType) == true)
        {
            operation.RequestBody.Content[QualityForm.MediaType] = new OpenApiMediaType { Schema = Form() };
        }

        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.ContainsKey(QualityApi.HtmlMediaType) == true)
        {
            ok.Content[QualityApi.HtmlMediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "With Accept: text/html: the HTML report of the same numbers (one self-contained document: the numbers next to their references, the figures as inline SVG, no script), served with a Content-Security-Policy that allows no script.",
                },
            };
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema Form() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "curl -F embeddings=@x.npy -F positives=@y.npy -F labels=@labels.npy [-F alpha=2 -F t=2 -F normalize=true]. Each part at most once; no other parts.",
        Required = new HashSet<string> { "embeddings" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["embeddings"] = File("A NumPy .npy file: a 2-D float32 or float64 array (N, d), N ≥ 2; rows unit norm unless normalize is true."),
            ["positives"] = File("Optional: a .npy of the same shape, a positive view of each row (enables alignment)."),
            ["labels"] = File("Optional: a .npy of N integers, or UTF-8 text with one label a line (enables k-NN accuracy; the report shows the labels as given)."),
            ["alpha"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Alignment exponent α > 0 (default 2)." },
            ["t"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Uniformity kernel width t > 0 (default 2)." },
            ["normalize"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "true to L2-normalise rows instead of refusing non-unit ones (default false)." },
        },
    };

    private static OpenApiSchema File(string description) => new() { Type = JsonSchemaType.String, Format = "binary", Description = description };
}
