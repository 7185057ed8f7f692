using Hypersphere.Core.Errors;
using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Hosting;

/// <summary>Binds, completes and validates <see cref="HypersphereOptions"/>.</summary>
public static class HypersphereOptionsSetup
{
    /// <summary>Where the models root is looked for when no <c>models</c> folder is found above the content root (the container layout).</summary>
    public const string ContainerModelsPath = "/app/models";

    /// <summary>Registers the options with start-up validation, and sets Kestrel's limits and the shutdown timeout from them.</summary>
    public static IServiceCollection AddHypersphereOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HypersphereOptions>()
            .Bind(configuration.GetSection(HypersphereOptions.Section))
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (string.IsNullOrWhiteSpace(options.ModelsPath))
                {
                    options.ModelsPath = FindModelsFolder(environment.ContentRootPath) ?? ContainerModelsPath;
                }

                options.ModelsPath = Path.GetFullPath(options.ModelsPath, environment.ContentRootPath);
                // A single value (Hypersphere__ApiKeys=k1,k2) is a comma-separated list; the binder would drop it.
                options.ApiKeys = [.. options.ApiKeys, .. SplitScalar(configuration, nameof(HypersphereOptions.ApiKeys))];
                options.AdminKeys = [.. options.AdminKeys, .. SplitScalar(configuration, nameof(HypersphereOptions.AdminKeys))];
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HypersphereOptions>, HypersphereOptionsValidator>();

        // Kestrel enforces MaxBodyBytes as a body is read (the handlers read bodies themselves, so its 413 becomes a
        // problem document), leaves out its Server header, and reads request lines up to twice the URL length the
        // app answers 414 to itself. Read from configuration, not from the validated options: reading those here
        // would throw while the app is being built, before validation can stop the process with its message; a bad
        // value is not applied here and the validation then stops the process naming it.
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 2 * UrlLimit.MaxLength;
            if (Setting(configuration, nameof(HypersphereOptions.MaxBodyBytes), new HypersphereOptions().MaxBodyBytes) is var max and >= 1024 and <= 1L << 30)
            {
                kestrel.Limits.MaxRequestBodySize = max;
            }
        });

        // Read from configuration, not from the validated options, for the same reason; a bad value is not applied
        // here and the validation then stops the process naming it.
        services.Configure<HostOptions>(host =>
        {
            var seconds = Setting(configuration, nameof(HypersphereOptions.ShutdownTimeoutSeconds), new HypersphereOptions().ShutdownTimeoutSeconds);
            if (seconds is >= 1 and <= 3_600)
            {
                host.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
            }
        });
        return services;
    }

    // A number setting as configured, its default when unset, 0 when it is no number.
    private static long Setting(IConfiguration configuration, string key, long fallback) =>
        configuration.GetSection(HypersphereOptions.Section)[key] is { } text ? (long.TryParse(text, out var parsed) ? parsed : 0) : fallback;

    // An empty value (also what an empty JSON array becomes) means no keys.
    private static string[] SplitScalar(IConfiguration configuration, string key) =>
        configuration.GetSection(HypersphereOptions.Section)[key] is { } scalar && !string.IsNullOrWhiteSpace(scalar)
            ? scalar.Split(',', StringSplitOptions.TrimEntries)
            : [];

    /// <summary>
    /// The first <c>models</c> folder in <paramref name="start"/> or one of its ancestors, or null. (No source
    /// folder of this project is called models in any case, so a case-insensitive file system finds the repository's.)
    /// </summary>
    public static string? FindModelsFolder(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>Checks what data annotations cannot: the models root exists, the default model is well formed, keys are usable.</summary>
internal sealed class HypersphereOptionsValidator : IValidateOptions<HypersphereOptions>
{
    public ValidateOptionsResult Validate(string? name, HypersphereOptions options)
    {
        var failures = new List<string>();
        if (!Directory.Exists(options.ModelsPath))
        {
            failures.Add($"Hypersphere:ModelsPath '{options.ModelsPath}' does not exist; it must be a folder of <name>/<version>/ model folders");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultModel))
        {
            try
            {
                ModelReference.Parse(options.DefaultModel, "Hypersphere:DefaultModel");
            }
            catch (HypersphereException e)
            {
                failures.Add(e.Message);
            }
        }

        CheckKeys(options.ApiKeys, nameof(HypersphereOptions.ApiKeys), failures);
        CheckKeys(options.AdminKeys, nameof(HypersphereOptions.AdminKeys), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // A key travels in an Authorization header: it must be a non-empty token without spaces or control characters.
    private static void CheckKeys(IList<string> keys, string name, List<string> failures)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (string.IsNullOrWhiteSpace(key))
            {
                failures.Add($"Hypersphere:{name}:{i} is empty; every key must be a non-empty token (or leave Hypersphere:{name} unset to keep the routes open)");
            }
            else if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '~'))
            {
                failures.Add($"Hypersphere:{name}:{i} contains a space, a control or a non-ASCII character; a key must be printable ASCII without spaces");
            }
        }
    }
}
