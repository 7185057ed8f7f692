using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>One version of one model: <c>name@version</c>, both folder names under the models root.</summary>
/// <param name="Name">The model's folder name.</param>
/// <param name="Version">The version's folder name.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(ModelIdJsonConverter))]
public readonly record struct ModelId(string Name, string Version) : IComparable<ModelId>
{
    /// <summary>Parses <c>name@version</c>; anything else is <see cref="ErrorKind.InvalidInput"/>.</summary>
    public static ModelId Parse(string text, string field = "model")
    {
        var reference = ModelReference.Parse(text, field);
        return reference.Version is { } version
            ? new ModelId(reference.Name, version)
            : throw HypersphereException.Invalid($"{field} must be 'name@version', but was '{text}'");
    }

    /// <summary>The version folder under <paramref name="root"/>.</summary>
    public string FolderUnder(string root) => Path.Combine(root, Name, Version);

    /// <inheritdoc/>
    public int CompareTo(ModelId other) => string.CompareOrdinal(ToString(), other.ToString());

    /// <inheritdoc/>
    public override string ToString() => $"{Name}@{Version}";

    /// <summary>Ordinal order of <c>name@version</c>.</summary>
    public static bool operator <(ModelId left, ModelId right) => left.CompareTo(right) < 0;

    /// <summary>Ordinal order of <c>name@version</c>.</summary>
    public static bool operator <=(ModelId left, ModelId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordinal order of <c>name@version</c>.</summary>
    public static bool operator >(ModelId left, ModelId right) => left.CompareTo(right) > 0;

    /// <summary>Ordinal order of <c>name@version</c>.</summary>
    public static bool operator >=(ModelId left, ModelId right) => left.CompareTo(right) >= 0;
}

/// <summary>Where a model version stands.</summary>
public enum ModelState
{
    /// <summary>Known from its folder, not loaded (older versions load on first use).</summary>
    NotLoaded,

    /// <summary>Being loaded and warmed up.</summary>
    Loading,

    /// <summary>Loaded, warmed up, serving.</summary>
    Loaded,

    /// <summary>Its last load failed; the next reload tries again.</summary>
    Failed,
}
