using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Inputs;

/// <summary>Decodes an image sent as base64 text or as a base64 data URL (<c>data:image/png;base64,…</c>).</summary>
public static class Base64Image
{
    private const string Expected = "a base64 PNG, JPEG or BMP image, a data URL of one, or an array of C·H·W preprocessed floats";

    /// <summary>The encoded image bytes; bad base64 or a data URL that is not base64 is <see cref="ErrorKind.BadRequest"/>.</summary>
    /// <param name="text">Base64, or a data URL.</param>
    /// <param name="name">What the caller calls it, for messages.</param>
    public static byte[] Decode(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var payload = text.AsSpan().Trim();
        if (payload.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = payload.IndexOf(',');
            if (comma < 0 || !payload[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                throw HypersphereException.Bad($"{name} is a data URL that is not base64; expected 'data:image/<type>;base64,<data>'");
            }

            payload = payload[(comma + 1)..];
        }

        if (payload.IsEmpty)
        {
            throw HypersphereException.Bad($"{name} is empty; expected {Expected}");
        }

        var bytes = new byte[((payload.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64Chars(payload, bytes, out var written))
        {
            // Clients of text-embedding APIs send text here; say plainly that this service embeds images.
            throw HypersphereException.Bad(
                $"{name} is not valid base64 ({payload.Length} characters): the models served here embed images, not text; send {Expected}");
        }

        return bytes.AsSpan(0, written).ToArray();
    }
}
