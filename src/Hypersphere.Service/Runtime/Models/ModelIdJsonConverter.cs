using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>Writes a <see cref="ModelId"/> as the string <c>name@version</c>, as every answer names models.</summary>
internal sealed class ModelIdJsonConverter : JsonConverter<ModelId>
{
    public override ModelId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ModelId.Parse(reader.GetString() ?? string.Empty);

    public override void Write(Utf8JsonWriter writer, ModelId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
