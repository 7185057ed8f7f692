using Hypersphere.Core.Errors;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Hosting;

/// <summary>
/// Reads each request body into memory, up to <see cref="HypersphereOptions.MaxBodyBytes"/>, before an endpoint
/// binds it. A declared Content-Length over the limit is refused before anything is read, a chunked body as
/// soon as it passes the limit: both <see cref="ErrorKind.TooLarge"/> (413) with a problem document, the same on
/// Kestrel and on in-process test servers. (Kestrel's own limit would answer a bare 413 from inside the JSON
/// binder, which swallows I/O errors.)
/// </summary>
internal sealed class RequestBodyGate(RequestDelegate next, IOptions<HypersphereOptions> options)
{
    private const int ChunkBytes = 81920;

    public async Task InvokeAsync(HttpContext context)
    {
        var max = options.Value.MaxBodyBytes;
        var request = context.Request;
        var chunked = request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;
        if (request.ContentLength is null or 0 && !chunked)
        {
            await next(context);
            return;
        }

        if (request.ContentLength > max)
        {
            throw TooLarge(max, $"{request.ContentLength} bytes");
        }

        var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? ChunkBytes, max));
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw TooLarge(max, "more");
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        request.Body = buffer;
        await next(context);
    }

    private static HypersphereException TooLarge(long max, string actual) =>
        new(ErrorKind.TooLarge, $"the request body must be at most {max} bytes (Hypersphere:MaxBodyBytes), but was {actual}");
}
