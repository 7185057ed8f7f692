using System.Buffers.Binary;
using System.Text.Json;
using Hypersphere.Core.IO;
using Hypersphere.Inference;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Serving;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: OpenAI-shaped embeddings of images or preprocessed float arrays.</summary>
public static class EmbeddingsApi
{
    /// <summary>The media type of NumPy .npy bodies, in and out.</summary>
    public const string NpyMediaType = "application/x-npy";

    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapEmbeddings(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/embeddings").WithTags("Embeddings");
        group.MapPost(string.Empty, CreateAsync)
            .WithName("CreateEmbeddings")
            .WithSummary("Embed images or preprocessed float arrays")
            .WithDescription(
                "A JSON body (OpenAI's shape) or a NumPy .npy body (Content-Type: application/x-npy, model and encoding_format as query parameters) of images shaped (N, H, W) or (N, C, H, W), read as `hypersphere embed` reads a .npy file: uint8 pixels, or floats already scaled to [0, 1] at the model's size. " +
                "With Accept: application/x-npy the answer is a .npy float32 array (N, D) and the model that computed it is in the X-Hypersphere-Model header. " +
                "Rows have unit L2 norm and equal `hypersphere embed` on the same inputs. Errors are problem documents: 400 malformed, 422 invalid values, 413 too large, 404 unknown model, 401 no or wrong key (when keys are set), 415 another media type, 429 queue full (with Retry-After), 503 model not loaded or the request passed Hypersphere:RequestTimeoutMs.")
            .Accepts<EmbeddingRequest>("application/json", NpyMediaType)
            .Produces<EmbeddingResponse>(StatusCodes.Status200OK, "application/json", NpyMediaType)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context,
        [FromQuery(Name = "model")] string? queryModel,
        [FromQuery(Name = "encoding_format")] string? queryEncoding,
        ModelRegistry models,
        IEmbeddingService embedder,
        IOptions<HypersphereOptions> options,
        CancellationToken cancellationToken)
    {
        var npyIn = IsNpy(context.Request.ContentType);
        var request = npyIn
            ? new EmbeddingRequest(default, queryModel, queryEncoding)
            : await ReadJsonAsync(context, queryModel, queryEncoding, cancellationToken);
        var base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw HypersphereException.Invalid($"encoding_format must be 'float' or 'base64', but was '{other}'"),
        };
        var model = await models.ResolveAsync(request.Model, cancellationToken);
        var items = npyIn
            ? await ReadNpyAsync(context.Request, model, options.Value.MaxItemsPerRequest, cancellationToken)
            : InputItems.Read(request.Input, model, options.Value.MaxItemsPerRequest);
        var values = await embedder.EmbedAsync(model, items.Pixels, items.Count, cancellationToken);

        var dim = model.Card.EmbeddingDim;
        if (WantsNpy(context.Request))
        {
            context.Response.Headers[ModelHeader] = model.Id;
            return TypedResults.Bytes(NpyFile.Encode(values, items.Count, dim), NpyMediaType);
        }

        var data = new EmbeddingData[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var row = values.AsSpan(i * dim, dim);
            data[i] = new EmbeddingData("embedding", i, base64 ? ToBase64(row) : row.ToArray());
        }

        return TypedResults.Ok(new EmbeddingResponse("list", data, model.Id, new EmbeddingUsage(items.Count, items.Count)));
    }

    /// <summary>The header that names the model of a .npy answer (a JSON answer has its <c>model</c> field).</summary>
    public const string ModelHeader = "X-Hypersphere-Model";

    private static bool IsNpy(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals(NpyMediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the Accept header prefers .npy to JSON (a .npy entry with a quality at least that of any JSON entry).</summary>
    private static bool WantsNpy(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double Quality(Func<MediaTypeHeaderValue, bool> matches) =>
            accepted.Where(matches).Select(a => a.Quality ?? 1.0).DefaultIfEmpty(-1).Max();

        var npy = Quality(a => a.MediaType.Equals(NpyMediaType, StringComparison.OrdinalIgnoreCase));
        var json = Quality(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        return npy > 0 && npy >= json;
    }

    private static async Task<EmbeddingRequest> ReadJsonAsync(HttpContext context, string? queryModel, string? queryEncoding, CancellationToken cancellationToken)
    {
        if (queryModel is not null || queryEncoding is not null)
        {
            throw HypersphereException.Bad("the query parameters model and encoding_format are for .npy bodies; a JSON body names them in its own model and encoding_format fields");
        }

        EmbeddingRequest? request;
        try
        {
            request = context.Request.ContentLength == 0 ? null : await context.Request.ReadFromJsonAsync<EmbeddingRequest>(cancellationToken);
        }
        catch (JsonException e)
        {
            throw HypersphereException.Bad(JsonErrorText.Describe(e));
        }

        return request ?? throw HypersphereException.Bad("the body must be a JSON object, but it was empty or null");
    }

    private static async Task<PreprocessedItems> ReadNpyAsync(HttpRequest request, LoadedModel model, int maxItems, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var input = EmbeddingInputs.FromNpy(body.ToArray(), "the request body", model.Preprocessor);
        if (input.Count == 0)
        {
            throw HypersphereException.Invalid("the request body must hold at least 1 image, but its array has N = 0");
        }

        if (input.Count > maxItems)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"the request body must hold at most {maxItems} images (Hypersphere:MaxItemsPerRequest), but held {input.Count}");
        }

        var pixels = new float[checked(input.Count * model.Preprocessor.ImageSize)];
        input.Preprocess(0, input.Count, pixels);
        return new PreprocessedItems(pixels, input.Count);
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
