using Hypersphere.Service.Hosting;

namespace Hypersphere.Service.Security;

/// <summary>Which key list guards a route group.</summary>
public enum KeyScope
{
    /// <summary><c>/v1</c>: <see cref="HypersphereOptions.ApiKeys"/>.</summary>
    Api,

    /// <summary><c>/admin</c>: <see cref="HypersphereOptions.AdminKeys"/>.</summary>
    Admin,
}

/// <summary>Endpoint metadata naming the key list an endpoint needs (read by the OpenAPI document).</summary>
/// <param name="Scope">The key list.</param>
public sealed record RequiresBearerKey(KeyScope Scope);

/// <summary>The names and settings of each <see cref="KeyScope"/>.</summary>
public static class KeyScopes
{
    /// <summary>The authentication scheme (and authorization policy) of <paramref name="scope"/>.</summary>
    public static string Scheme(KeyScope scope) => scope == KeyScope.Admin ? "AdminKey" : "ApiKey";

    /// <summary>The setting that lists <paramref name="scope"/>'s keys.</summary>
    public static string Setting(KeyScope scope) =>
        $"{HypersphereOptions.Section}:{(scope == KeyScope.Admin ? nameof(HypersphereOptions.AdminKeys) : nameof(HypersphereOptions.ApiKeys))}";

    /// <summary>The routes <paramref name="scope"/> guards.</summary>
    public static string Routes(KeyScope scope) => scope == KeyScope.Admin ? "/admin" : "/v1";

    /// <summary>The configured keys of <paramref name="scope"/>.</summary>
    public static IList<string> Keys(HypersphereOptions options, KeyScope scope)
    {
        ArgumentNullException.ThrowIfNull(options);
        return scope == KeyScope.Admin ? options.AdminKeys : options.ApiKeys;
    }
}
