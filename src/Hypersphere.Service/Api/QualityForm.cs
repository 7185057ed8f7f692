using System.Globalization;
using System.Text;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Hypersphere.Service.Api;

/// <summary>
/// The <c>multipart/form-data</c> form of <c>POST /v1/quality</c>, for NumPy users:
/// <c>curl -F embeddings=@x.npy -F positives=@y.npy -F labels=@labels.npy -F alpha=2 -F t=2 -F normalize=true</c>.
/// Parts: <c>embeddings</c> (required) and <c>positives</c>, each a 2-D float32/float64 .npy read by Core's
/// <see cref="NpyFile"/>; <c>labels</c>, a .npy of integers or UTF-8 text with one label a line (as Core's
/// <see cref="EmbeddingFiles.ReadLabels"/>); fields <c>alpha</c>, <c>t</c>, <c>normalize</c>. The body is bounded by
/// <c>MaxBodyBytes</c> as a whole and the matrices by <c>MaxQualityValues</c>; an unknown, duplicate, unnamed or
/// malformed part, a missing boundary or oversized part headers are 400.
/// </summary>
public static class QualityForm
{
    /// <summary>The media type of the form.</summary>
    public const string MediaType = "multipart/form-data";

    /// <summary>The parts the form takes, in the order messages list them.</summary>
    public static readonly IReadOnlyList<string> Parts = ["embeddings", "positives", "labels", "alpha", "t", "normalize", "sample_pairs", "error", "seed", "exact"];

    // RFC 2046: a boundary is 1 to 70 characters. Part headers are small (a Content-Disposition and a Content-Type).
    private const int MaxBoundary = 70, MaxPartHeaderBytes = 8 * 1024, MaxPartHeaders = 8, MaxFieldBytes = 64, MaxShownName = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="request"/> is a form (a malformed Content-Type is left to the JSON check, which answers 400).</summary>
    public static bool IsForm(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads and validates the form: the matrices, the labels as the user spelled them, and the settings.</summary>
    public static async Task<AuditRequest> ReadAsync(HttpRequest request, long maxBodyBytes, long maxValues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var boundary = Boundary(request.ContentType);
        if (request.ContentLength > maxBodyBytes)
        {
            throw TooLarge(maxBodyBytes, $"{request.ContentLength} bytes");
        }

        var parts = new Dictionary<string, (byte[] Bytes, string? FileName)>(StringComparer.Ordinal);
        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersLengthLimit = MaxPartHeaderBytes,
            HeadersCountLimit = MaxPartHeaders,
            BodyLengthLimit = maxBodyBytes,
        };
        long total = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                var (name, fileName) = Disposition(section);
                if (!Parts.Contains(name))
                {
                    throw HypersphereException.Bad($"the form has a part named '{Shown(name)}', but its parts are {string.Join(", ", Parts)} (images for a model to embed go in the JSON form: {{model, input, positives, labels}})");
                }

                if (parts.ContainsKey(name))
                {
                    throw HypersphereException.Bad($"the form has the part '{name}' twice, but each part may be given once");
                }

                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, cancellationToken);
                total += buffer.Length;
                if (total > maxBodyBytes)
                {
                    throw TooLarge(maxBodyBytes, "more");
                }

                parts[name] = (buffer.ToArray(), fileName);
            }
        }
        catch (InvalidDataException e)
        {
            // The reader's own limits (part header size and count, a part over the body limit) and malformed framing.
            throw new HypersphereException(ErrorKind.BadRequest, $"the multipart/form-data body is malformed: {e.Message.TrimEnd('.')}", e);
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            // The body ended before the closing boundary (or had none).
            throw new HypersphereException(ErrorKind.BadRequest, $"the multipart/form-data body ended before its closing boundary '--{Shown(boundary)}--'", e);
        }

        var normalize = parts.TryGetValue("normalize", out var n) ? Boolean(n.Bytes, "normalize") : false;
        var alpha = parts.TryGetValue("alpha", out var a) ? Number(a.Bytes, "alpha") : (double?)null;
        var t = parts.TryGetValue("t", out var tv) ? Number(tv.Bytes, "t") : (double?)null;
        var sampling = new SamplingRequest(
            parts.TryGetValue("sample_pairs", out var sp) ? Integer(sp.Bytes, "sample_pairs") : null,
            parts.TryGetValue("error", out var er) ? Number(er.Bytes, "error") : null,
            parts.TryGetValue("seed", out var sd) ? (int?)Integer(sd.Bytes, "seed", int.MinValue, int.MaxValue) : null,
            parts.TryGetValue("exact", out var ex) && Boolean(ex.Bytes, "exact"));
        if (!parts.TryGetValue("embeddings", out var embeddingsPart))
        {
            throw HypersphereException.Bad($"the form needs a part 'embeddings': a .npy file of N rows of d float32 or float64 numbers (curl -F embeddings=@x.npy); it had {(parts.Count == 0 ? "no parts" : string.Join(", ", parts.Keys))}");
        }

        var embeddings = Matrix(embeddingsPart.Bytes, "embeddings", maxValues, normalize);
        var positives = parts.TryGetValue("positives", out var p) ? Matrix(p.Bytes, "positives", maxValues, normalize) : null;
        IReadOnlyList<string>? labels = null;
        if (parts.TryGetValue("labels", out var l))
        {
            labels = Labels(l.Bytes);
            QualityInputs.CheckLabelCount(labels.Count, embeddings.Rows);
        }

        var sources = Parts.Where(name => parts.ContainsKey(name) && parts[name].FileName is not null)
            .Select(name => $"{name}: {FileName(parts[name].FileName!)}")
            .ToArray();
        return new AuditRequest(embeddings, positives, labels, alpha, t, normalize, [], sources, sampling);
    }

    /// <summary>The boundary of a form's Content-Type; a missing, empty or over-long one is 400.</summary>
    private static string Boundary(string? contentType)
    {
        var type = MediaTypeHeaderValue.Parse(contentType);
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw HypersphereException.Bad("the Content-Type multipart/form-data has no boundary parameter; send it as multipart/form-data; boundary=... (curl -F does)");
        }

        if (boundary.Length > MaxBoundary)
        {
            throw HypersphereException.Bad($"the multipart boundary has {boundary.Length} characters, but at most {MaxBoundary} are allowed (RFC 2046)");
        }

        return boundary;
    }

    private static (string Name, string? FileName) Disposition(MultipartSection section)
    {
        // form-data with or without a filename (IsFormDisposition would refuse the file parts curl -F sends).
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw HypersphereException.Bad("every part of the form must have a header 'Content-Disposition: form-data; name=\"...\"'");
        }

        var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
        if (string.IsNullOrEmpty(name))
        {
            throw HypersphereException.Bad($"a part of the form has no name; name it one of {string.Join(", ", Parts)}");
        }

        var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
        return (name, string.IsNullOrEmpty(fileName) ? null : fileName);
    }

    private static EmbeddingMatrix Matrix(byte[] bytes, string field, long maxValues, bool normalize)
    {
        if (!NpyHeader.StartsWithMagic(bytes))
        {
            throw HypersphereException.Bad($"{field} must be a NumPy .npy file (np.save of a 2-D float32 or float64 array), but it does not start with the .npy magic bytes");
        }

        var header = NpyHeader.Parse(bytes, field);
        if (header.Shape.Length == 2)
        {
            QualityInputs.CheckSize(field, header.Shape[0], header.Shape[1], maxValues);
        }

        var data = NpyFile.ReadMatrix(bytes, field);
        return EmbeddingMatrix.Create(data.Values, data.Rows, data.Cols, normalize, field);
    }

    private static IReadOnlyList<string> Labels(byte[] bytes)
    {
        if (NpyHeader.StartsWithMagic(bytes))
        {
            return Array.ConvertAll(NpyFile.ReadIntegers(bytes, "labels"), v => v.ToString(CultureInfo.InvariantCulture));
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new HypersphereException(ErrorKind.BadRequest, "labels must be a .npy of integers or UTF-8 text with one label a line, but the text is not valid UTF-8", e);
        }

        return EmbeddingFiles.ParseLabels(text.TrimStart('\uFEFF'), "labels");
    }

    private static double Number(byte[] bytes, string field)
    {
        var text = Field(bytes, field);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw HypersphereException.Bad($"{field} must be a number, but was '{Shown(text)}'");
    }

    private static long Integer(byte[] bytes, string field, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = Field(bytes, field);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw HypersphereException.Invalid($"{field} must be an integer, but was '{Shown(text)}'");
    }

    private static bool Boolean(byte[] bytes, string field)
    {
        var text = Field(bytes, field);
        return bool.TryParse(text, out var value)
            ? value
            : throw HypersphereException.Bad($"{field} must be true or false, but was '{Shown(text)}'");
    }

    private static string Field(byte[] bytes, string field)
    {
        if (bytes.Length > MaxFieldBytes)
        {
            throw HypersphereException.Bad($"{field} must be a short form field, but was {bytes.Length} bytes (at most {MaxFieldBytes})");
        }

        try
        {
            return StrictUtf8.GetString(bytes).Trim();
        }
        catch (DecoderFallbackException e)
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"{field} is not valid UTF-8 text", e);
        }
    }

    /// <summary>The last segment of a client's file name (never its folders), shortened.</summary>
    private static string FileName(string fileName) => Shown(fileName[(fileName.LastIndexOfAny(['/', '\\']) + 1)..]);

    private static string Shown(string text) => text.Length <= MaxShownName ? text : text[..MaxShownName] + "…";

    private static HypersphereException TooLarge(long max, string actual) =>
        new(ErrorKind.TooLarge, $"the request body must be at most {max} bytes (Hypersphere:MaxBodyBytes), but was {actual}");
}

/// <summary>What a quality request asks to audit, whichever form it came in (JSON or multipart).</summary>
/// <param name="Embeddings">The validated embeddings.</param>
/// <param name="Positives">The validated positives, if given.</param>
/// <param name="Labels">The labels as the user spelled them, if given.</param>
/// <param name="Alpha">α, if given.</param>
/// <param name="T">t, if given.</param>
/// <param name="Normalize">Whether rows were L2-normalised.</param>
/// <param name="Notes">Caveats for the report's warnings (e.g. which model embedded the images).</param>
/// <param name="Sources">Where the inputs came from (the parts' file names, <c>part: name</c>, or the model).</param>
/// <param name="Sampling">Exact or sampled, as the request asked (nothing asked: the server's default).</param>
public sealed record AuditRequest(
    EmbeddingMatrix Embeddings,
    EmbeddingMatrix? Positives,
    IReadOnlyList<string>? Labels,
    double? Alpha,
    double? T,
    bool Normalize,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Sources,
    SamplingRequest Sampling);

/// <summary>What a quality request asked about sampling (<c>sample_pairs</c>, <c>error</c>, <c>seed</c>, <c>exact</c>).</summary>
/// <param name="Pairs">Pairs to draw.</param>
/// <param name="Error">Target 95 % half-width on uniformity.</param>
/// <param name="Seed">Seed of the draws.</param>
/// <param name="Exact">Every pair.</param>
public sealed record SamplingRequest(long? Pairs = null, double? Error = null, int? Seed = null, bool Exact = false);
