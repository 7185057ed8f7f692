using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hypersphere.Core.Quality;

/// <summary>The one JSON shape of quality reports: snake_case names, nulls written out.</summary>
public static class QualityJson
{
    /// <summary>Serializer options shared by the CLI and the service.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    /// <summary>The report as indented JSON.</summary>
    public static string Serialize(QualityReport report) => JsonSerializer.Serialize(report, Options);
}
