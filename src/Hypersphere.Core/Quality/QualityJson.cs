using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Quality;

/// <summary>The one JSON shape of quality reports: <see cref="SnakeCaseJson"/>, indented.</summary>
public static class QualityJson
{
    /// <summary>Serializer options shared by the CLI and the service (<see cref="SnakeCaseJson.Indented"/>).</summary>
    public static JsonSerializerOptions Options => SnakeCaseJson.Indented;

    /// <summary>The report as indented JSON.</summary>
    public static string Serialize(QualityReport report) => JsonSerializer.Serialize(report, Options);
}
