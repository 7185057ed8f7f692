using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Microsoft.Net.Http.Headers;

namespace Hypersphere.Service.Api;

/// <summary>
/// Reads request bodies for the handlers, after admission: the media type is checked first (415 for another one,
/// 400 for a malformed header), a declared length over <see cref="HypersphereOptions.MaxBodyBytes"/> is 413 before
/// anything is read (Kestrel stops a longer chunked body the same way), and JSON is parsed strictly: duplicate keys,
/// invalid UTF-8 and wrong types are 400 with a detail that names the place.
/// </summary>
public static class RequestBodies
{
    /// <summary>The media type of NumPy .npy bodies, in and out.</summary>
    public const string NpyMediaType = "application/x-npy";

    /// <summary>The detail of a 415: what the routes take.</summary>
    public static string MediaTypeDetail(string? contentType) =>
        $"the body must be JSON sent with Content-Type: application/json (or, for /v1/embeddings, a NumPy .npy array sent with Content-Type: {NpyMediaType}; for /v1/quality, a multipart/form-data form of .npy files), but the Content-Type was '{contentType ?? "(none)"}'";

    /// <summary>Whether the body is a .npy array; any other type but JSON is 415, a malformed Content-Type 400.</summary>
    public static bool IsNpy(HttpRequest request, bool npyAllowed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            throw ProtocolException.UnsupportedMediaType(MediaTypeDetail(null));
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || type.MediaType.Value is null)
        {
            throw HypersphereException.Bad($"the Content-Type header '{contentType}' is malformed; expected 'application/json'{(npyAllowed ? $" or '{NpyMediaType}'" : string.Empty)}");
        }

        if (npyAllowed && type.MediaType.Equals(NpyMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var json = type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.SubType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        if (!json || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw ProtocolException.UnsupportedMediaType(MediaTypeDetail(contentType) + (json ? "; JSON must be UTF-8" : string.Empty));
        }

        return false;
    }

    /// <summary>Refuses a body that is not JSON: another media type is 415, a malformed Content-Type 400.</summary>
    public static void RequireJson(HttpRequest request) => _ = IsNpy(request, npyAllowed: false);

    /// <summary>The JSON body as <typeparamref name="T"/>; an empty body or <c>null</c> is 400.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonSerializerOptions options, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireLength(request, maxBytes);
        T? value;
        try
        {
            value = request.ContentLength == 0 ? null : await JsonSerializer.DeserializeAsync<T>(request.Body, options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw e.Message.Contains("does not contain any JSON tokens", StringComparison.Ordinal)
                ? HypersphereException.Bad("the body must be a JSON object, but it was empty")
                : HypersphereException.Bad(JsonErrorText.Describe(e));
        }
        catch (InvalidOperationException e) when (e.InnerException is not null || e.Message.Contains("UTF", StringComparison.OrdinalIgnoreCase))
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"the body is not valid JSON text: {e.Message.TrimEnd('.')}", e);
        }

        return value ?? throw HypersphereException.Bad("the body must be a JSON object, but it was empty or null");
    }

    /// <summary>The whole body as bytes, at most <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireLength(request, maxBytes);
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes, "more");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    private static void RequireLength(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes, $"{request.ContentLength} bytes");
        }
    }

    private static HypersphereException TooLarge(long max, string actual) =>
        new(ErrorKind.TooLarge, $"the request body must be at most {max} bytes (Hypersphere:MaxBodyBytes), but was {actual}");
}
