using Hypersphere.Core.IO;

namespace Hypersphere.Service.Hosting;

/// <summary>The JSON of requests and answers: the project's <see cref="SnakeCaseJson"/> convention, like Core's reports and the CLI.</summary>
public static class ServiceJson
{
    /// <summary>Configures the minimal API's serializer (and so the OpenAPI schemas, which follow it).</summary>
    public static IServiceCollection AddServiceJson(this IServiceCollection services) => services.ConfigureHttpJsonOptions(options =>
    {
        SnakeCaseJson.Apply(options.SerializerOptions);
        // {"model": "a", "model": "b"} is ambiguous: refuse it rather than let the last one win.
        options.SerializerOptions.AllowDuplicateProperties = false;
    });
}
