using System.Buffers.Binary;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: OpenAI-shaped embeddings of images or preprocessed float arrays.</summary>
public static class EmbeddingsApi
{
    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapEmbeddings(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/embeddings").WithTags("Embeddings");
        group.MapPost(string.Empty, CreateAsync)
            .WithName("CreateEmbeddings")
            .WithSummary("Embed images or preprocessed float arrays")
            .WithDescription("Rows have unit L2 norm and equal `hypersphere embed` on the same inputs. Errors are problem documents: 400 malformed, 422 invalid values, 413 too large, 404 unknown model, 401 no or wrong key (when keys are set), 429 queue full (with Retry-After), 503 model not loaded or the request passed Hypersphere:RequestTimeoutMs.")
            .ProducesModelProblems();
        return group;
    }

    private static async Task<Ok<EmbeddingResponse>> CreateAsync(
        EmbeddingRequest request,
        ModelRegistry models,
        IEmbeddingService embedder,
        IOptions<HypersphereOptions> options,
        CancellationToken cancellationToken)
    {
        var base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw HypersphereException.Invalid($"encoding_format must be 'float' or 'base64', but was '{other}'"),
        };
        var model = await models.ResolveAsync(request.Model, cancellationToken);
        var items = InputItems.Read(request.Input, model, options.Value.MaxItemsPerRequest);
        var values = await embedder.EmbedAsync(model, items.Pixels, items.Count, cancellationToken);

        var dim = model.Card.EmbeddingDim;
        var data = new EmbeddingData[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var row = values.AsSpan(i * dim, dim);
            data[i] = new EmbeddingData("embedding", i, base64 ? ToBase64(row) : row.ToArray());
        }

        return TypedResults.Ok(new EmbeddingResponse("list", data, model.Id, new EmbeddingUsage(items.Count, items.Count)));
    }

    /// <summary>Base64 of the row's little-endian float32 bytes, whatever this machine's byte order.</summary>
    public static string ToBase64(ReadOnlySpan<float> row)
    {
        var bytes = new byte[row.Length * sizeof(float)];
        for (var j = 0; j < row.Length; j++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), row[j]);
        }

        return Convert.ToBase64String(bytes);
    }
}
