using System.Buffers.Binary;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hypersphere.Service.Api;

/// <summary><c>POST /v1/embeddings</c>: OpenAI-shaped embeddings of images or preprocessed float arrays; parse, call the runtime, map.</summary>
public static class EmbeddingsApi
{
    /// <summary>The media type of NumPy .npy bodies, in and out.</summary>
    public const string NpyMediaType = RequestBodies.NpyMediaType;

    /// <summary>The header that names the model of a .npy answer (a JSON answer has its <c>model</c> field).</summary>
    public const string ModelHeader = "X-Hypersphere-Model";

    /// <summary>Maps the route under <paramref name="routes"/> (the <c>/v1</c> group).</summary>
    public static RouteGroupBuilder MapEmbeddings(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/embeddings").WithTags("Embeddings").Admitted();
        group.MapPost(string.Empty, CreateAsync)
            .WithName("CreateEmbeddings")
            .WithSummary("Embed images or preprocessed float arrays")
            .WithDescription(
                "A JSON body (OpenAI's shape) or a NumPy .npy body (Content-Type: application/x-npy, model and encoding_format as query parameters) of images shaped (N, H, W) or (N, C, H, W), read as `hypersphere embed` reads a .npy file: uint8 pixels, or floats already scaled to [0, 1] at the model's size. " +
                "With Accept: application/x-npy the answer is a .npy float32 array (N, D) and the model that computed it is in the X-Hypersphere-Model header. " +
                "Rows have unit L2 norm and equal `hypersphere embed` on the same inputs. Errors are problem documents whatever the Accept header, with an OpenAI-shaped `error` object: 400 malformed, 422 invalid values, 413 too large, 404 unknown model, 401 no or wrong key (when keys are set), 415 another media type, 429 overloaded (with Retry-After), 503 model not loaded or the request passed Hypersphere:RequestTimeoutMs.")
            .Accepts<EmbeddingRequest>("application/json", NpyMediaType)
            .Produces<EmbeddingResponse>(StatusCodes.Status200OK, "application/json", NpyMediaType)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesModelProblems();
        return group;
    }

    private static async Task<Results<Ok<EmbeddingResponse>, FileContentHttpResult>> CreateAsync(
        HttpRequest http,
        [FromQuery(Name = "model")] string? queryModel,
        [FromQuery(Name = "encoding_format")] string? queryEncoding,
        IEmbeddingRuntime runtime,
        IOptions<HypersphereOptions> options,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var maxBody = options.Value.MaxBodyBytes;
        EmbeddingRequest request;
        EmbeddingSource source;
        if (RequestBodies.IsNpy(http, npyAllowed: true))
        {
            request = new EmbeddingRequest(default, queryModel, queryEncoding);
            source = new NpySource(await RequestBodies.ReadBytesAsync(http, maxBody, cancellationToken));
        }
        else
        {
            if (queryModel is not null || queryEncoding is not null)
            {
                throw HypersphereException.Bad("the query parameters model and encoding_format are for .npy bodies; a JSON body names them in its own model and encoding_format fields");
            }

            request = await RequestBodies.ReadJsonAsync<EmbeddingRequest>(http, json.Value.SerializerOptions, maxBody, cancellationToken);
            source = new JsonItemsSource(request.Input);
        }

        var base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw HypersphereException.Invalid($"encoding_format must be 'float' or 'base64', but was '{other}'"),
        };
        var result = await runtime.EmbedAsync(request.Model, [source], cancellationToken);
        var rows = result.Sets[0];
        if (WantsNpy(http))
        {
            http.HttpContext.Response.Headers[ModelHeader] = result.Model.ToString();
            return TypedResults.Bytes(NpyFile.Encode(rows.Values, rows.Count, result.Dim), NpyMediaType);
        }

        var data = new EmbeddingData[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows.Values.AsSpan(i * result.Dim, result.Dim);
            data[i] = new EmbeddingData("embedding", i, base64 ? ToBase64(row) : row.ToArray());
        }

        return TypedResults.Ok(new EmbeddingResponse("list", data, result.Model.ToString(), new EmbeddingUsage(rows.Count, rows.Count)));
    }

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
