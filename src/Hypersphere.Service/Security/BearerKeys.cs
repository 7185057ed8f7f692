using System.Security.Cryptography;
using System.Text;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Hypersphere.Service.Security;

/// <summary>Which key list guards a route group.</summary>
public enum KeyScope
{
    /// <summary><c>/v1</c>: <see cref="HypersphereOptions.ApiKeys"/>.</summary>
    Api,

    /// <summary><c>/admin</c>: <see cref="HypersphereOptions.AdminKeys"/>.</summary>
    Admin,
}

/// <summary>Endpoint metadata: the endpoint needs a bearer key of <paramref name="Scope"/> when that scope has keys.</summary>
/// <param name="Scope">The key list.</param>
public sealed record RequiresBearerKey(KeyScope Scope);

/// <summary>
/// Optional API keys: <c>Authorization: Bearer &lt;key&gt;</c> on route groups marked with
/// <see cref="RequireBearerKey"/>, when their scope has keys configured. Missing or wrong keys are
/// <see cref="ErrorKind.Unauthorized"/> (401 with <c>WWW-Authenticate: Bearer</c>). The check runs as
/// middleware before the body is read or bound, so a caller without a key learns nothing about its request.
/// </summary>
public static class BearerKeys
{
    /// <summary>Every route of <paramref name="group"/> needs a key of <paramref name="scope"/> (when that scope has keys).</summary>
    public static RouteGroupBuilder RequireBearerKey(this RouteGroupBuilder group, KeyScope scope) =>
        group.WithMetadata(new RequiresBearerKey(scope)).ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>Checks keys for endpoints marked by <see cref="RequireBearerKey"/>; after routing and the exception handler, before bodies are read.</summary>
    public static IApplicationBuilder UseBearerKeys(this IApplicationBuilder app) => app.UseMiddleware<BearerKeyGate>();
}

/// <summary>The middleware of <see cref="BearerKeys"/>.</summary>
internal sealed class BearerKeyGate(RequestDelegate next, IOptions<HypersphereOptions> options)
{
    // Keys are compared as SHA-256 digests with a fixed-time comparison against every configured key, so
    // neither the time taken nor an early exit tells how much of a guess was right, or how long a key is.
    private readonly byte[][] _apiKeys = Digests(options.Value.ApiKeys);
    private readonly byte[][] _adminKeys = Digests(options.Value.AdminKeys);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresBearerKey>() is { } required)
        {
            Check(required.Scope, context.Request.Headers.Authorization);
        }

        return next(context);
    }

    private void Check(KeyScope scope, StringValues authorization)
    {
        var (keys, setting, routes) = scope == KeyScope.Admin
            ? (_adminKeys, "Hypersphere:AdminKeys", "/admin")
            : (_apiKeys, "Hypersphere:ApiKeys", "/v1");
        if (keys.Length == 0)
        {
            return;
        }

        if (authorization.Count == 0)
        {
            throw Unauthorized($"{routes} needs a key: send the header 'Authorization: Bearer <key>' with a key from {setting}");
        }

        var header = authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (authorization.Count > 1 || space < 0 || !header.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthorized($"the Authorization header must be one 'Bearer <key>', but it was {(space < 0 ? "a single word" : $"of the scheme '{header[..space]}'")}");
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[(space + 1)..].Trim()));
        var match = false;
        foreach (var key in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, key);
        }

        if (!match)
        {
            throw Unauthorized($"the bearer key is not one of {setting}; {routes} refuses it");
        }
    }

    private static byte[][] Digests(IEnumerable<string> keys) => keys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    private static HypersphereException Unauthorized(string detail) => new(ErrorKind.Unauthorized, detail);
}
