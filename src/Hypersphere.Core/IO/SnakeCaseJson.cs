using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hypersphere.Core.IO;

/// <summary>
/// The one JSON convention of the project (reports, model cards, the CLI's summaries, the HTTP API):
/// snake_case names, nulls written out rather than omitted, numbers only as numbers ("2" is refused),
/// enums as snake_case words. Built on the web defaults, so property names also match case-insensitively.
/// </summary>
public static class SnakeCaseJson
{
    /// <summary>Shared options, one line per document (logs, HTTP answers).</summary>
    public static JsonSerializerOptions Compact { get; } = Freeze(Create(indented: false));

    /// <summary>Shared options, indented (files and output people read).</summary>
    public static JsonSerializerOptions Indented { get; } = Freeze(Create(indented: true));

    /// <summary>
    /// New, still mutable options with the convention, for a caller that adds its own settings on top
    /// (a stricter reader, a relaxed encoder for a terminal).
    /// </summary>
    public static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        options.WriteIndented = indented;
        return options;
    }

    /// <summary>
    /// Applies the convention to options someone else created, such as ASP.NET Core's
    /// <c>HttpJsonOptions.SerializerOptions</c>; leaves indentation and everything else as it was.
    /// </summary>
    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
