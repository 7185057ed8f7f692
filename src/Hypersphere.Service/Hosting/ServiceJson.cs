using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hypersphere.Service.Hosting;

/// <summary>The JSON of requests and answers: snake_case like OpenAI's API and Core's reports, strict numbers, enums as words.</summary>
public static class ServiceJson
{
    /// <summary>Configures the minimal API's serializer (and so the OpenAPI schemas, which follow it).</summary>
    public static IServiceCollection AddServiceJson(this IServiceCollection services) => services.ConfigureHttpJsonOptions(options =>
    {
        var json = options.SerializerOptions;
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // "2" is not a number: the web defaults would accept quoted numbers.
        json.NumberHandling = JsonNumberHandling.Strict;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        // {"model": "a", "model": "b"} is ambiguous: refuse it rather than let the last one win.
        json.AllowDuplicateProperties = false;
    });
}
