using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>What a request's <c>model</c> names: <c>name</c> (its latest version) or <c>name@version</c>.</summary>
/// <param name="Name">The model's folder name.</param>
/// <param name="Version">The version folder, or null for the latest.</param>
public readonly record struct ModelReference(string Name, string? Version)
{
    /// <summary>Parses <paramref name="text"/>; anything but <c>name</c> or <c>name@version</c> is <see cref="ErrorKind.InvalidInput"/>.</summary>
    /// <param name="text">The reference.</param>
    /// <param name="field">What the caller calls it, for the message.</param>
    public static ModelReference Parse(string text, string field = "model")
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? text : text[..at];
        var version = at < 0 ? null : text[(at + 1)..];
        if (!IsSegment(name) || (version is not null && !IsSegment(version)))
        {
            throw HypersphereException.Invalid(
                $"{field} must be 'name' or 'name@version' (folder names under the models root, without '/', '\\' or a second '@'), but was '{text}'");
        }

        return new ModelReference(name, version);
    }

    /// <inheritdoc/>
    public override string ToString() => Version is null ? Name : $"{Name}@{Version}";

    private static bool IsSegment(string part) =>
        part.Length > 0 && part.Trim() == part && part is not ("." or "..") && part.IndexOfAny(['/', '\\', '@']) < 0 && !part.StartsWith('.');
}
