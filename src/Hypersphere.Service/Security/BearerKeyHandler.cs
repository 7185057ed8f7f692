using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Security;

/// <summary>The options of one <see cref="BearerKeyHandler"/> scheme: the key list it checks.</summary>
public sealed class BearerKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>The key list.</summary>
    public KeyScope Scope { get; set; }
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against one key list. A scope without keys is open: every
/// request authenticates as <c>anonymous</c>. A key that matches authenticates as <c>&lt;scope&gt;-key-&lt;i&gt;</c>
/// (its position in the list, never the key), the partition the rate limiter counts it in. Keys are compared as
/// SHA-256 digests with a fixed-time comparison against every configured key, so neither the time taken nor an
/// early exit tells how much of a guess was right. The challenge is a 401 problem document with
/// <c>WWW-Authenticate: Bearer</c> (RFC 6750: <c>error="invalid_token"</c> only when a credential was sent).
/// </summary>
internal sealed class BearerKeyHandler(
    IOptionsMonitor<BearerKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder, KeyDigests digests, IProblemDetailsService problems)
    : AuthenticationHandler<BearerKeyOptions>(options, logger, encoder)
{
    /// <summary>The identity of requests to a scope that has no keys.</summary>
    public const string Anonymous = "anonymous";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var scope = Options.Scope;
        var keys = digests.Of(scope);
        if (keys.Length == 0)
        {
            return Task.FromResult(Success(Anonymous));
        }

        var authorization = Request.Headers.Authorization;
        var (setting, routes) = (KeyScopes.Setting(scope), KeyScopes.Routes(scope));
        if (authorization.Count == 0)
        {
            return Fail($"{routes} needs a key: send the header 'Authorization: Bearer <key>' with a key from {setting}");
        }

        var header = authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (authorization.Count > 1 || space < 0 || !header.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Fail($"the Authorization header must be one 'Bearer <key>', but it was {(space < 0 ? "a single word" : $"of the scheme '{header[..space]}'")}");
        }

        var presented = KeyDigests.Digest(header[(space + 1)..].Trim());
        var match = -1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, keys[i]))
            {
                match = i;
            }
        }

        return match < 0
            ? Fail($"the bearer key is not one of {setting}; {routes} refuses it")
            : Task.FromResult(Success($"{scope.ToString().ToLowerInvariant()}-key-{match}"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? $"{KeyScopes.Routes(Options.Scope)} needs a key from {KeyScopes.Setting(Options.Scope)}";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count > 0
            ? "Bearer realm=\"hypersphere\", error=\"invalid_token\""
            : "Bearer realm=\"hypersphere\"";
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = Problems.For(ErrorKind.Unauthorized, detail) });
    }

    private AuthenticateResult Success(string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private static Task<AuthenticateResult> Fail(string detail) => Task.FromResult(AuthenticateResult.Fail(detail));
}

/// <summary>The SHA-256 digests of each scope's configured keys, computed once (handlers are made per request).</summary>
internal sealed class KeyDigests(IOptions<HypersphereOptions> settings)
{
    private readonly byte[][] _api = KeyScopes.Keys(settings.Value, KeyScope.Api).Select(Digest).ToArray();
    private readonly byte[][] _admin = KeyScopes.Keys(settings.Value, KeyScope.Admin).Select(Digest).ToArray();

    /// <summary>The digests of <paramref name="scope"/>'s keys.</summary>
    public byte[][] Of(KeyScope scope) => scope == KeyScope.Admin ? _admin : _api;

    /// <summary>SHA-256 of a key's UTF-8 bytes.</summary>
    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
