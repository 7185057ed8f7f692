using System.Text.RegularExpressions;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Takes file-system paths out of messages that clients see: a path under the models root becomes the part that
/// names the model (<c>toy/3/model.onnx</c>), the root itself "the models root", any other absolute path
/// <c>&lt;path&gt;</c>. The log keeps the full message.
/// </summary>
internal static partial class PublicText
{
    public static string Scrub(string message, string root)
    {
        ArgumentNullException.ThrowIfNull(message);
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        var text = message
            .Replace(trimmed + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal)
            .Replace($"'{trimmed}'", "the models root", StringComparison.Ordinal)
            .Replace(trimmed, "the models root", StringComparison.Ordinal);
        return AbsolutePath().Replace(text, "<path>");
    }

    // A slash after a space, quote or bracket (or at the start), followed by at least one more path segment.
    [GeneratedRegex(@"(?<=^|[\s'""(\[])/(?:[^\s/'""()\[\]]+/)+[^\s'""()\[\]]*")]
    private static partial Regex AbsolutePath();
}
