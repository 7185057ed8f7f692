using Hypersphere.Core.IO;

namespace Hypersphere.Service.Hosting;

/// <summary>The JSON of requests and answers: the project's <see cref="SnakeCaseJson"/> convention, like Core's reports and the CLI.</summary>
public static class ServiceJson
{
    /// <summary>Configures the minimal API's serializer (and so the OpenAPI schemas, which follow it).</summary>
<<<<<<< HEAD
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
=======
    public static IServiceCollection AddServiceJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => SnakeCaseJson.Apply(options.SerializerOptions));
>>>>>>> a-core
}
