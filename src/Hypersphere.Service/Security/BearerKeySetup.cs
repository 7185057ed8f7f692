using Microsoft.AspNetCore.Authorization;

namespace Hypersphere.Service.Security;

/// <summary>
/// Optional bearer keys through the framework's own parts: one authentication scheme per <see cref="KeyScope"/>
/// (<see cref="BearerKeyHandler"/>) and one authorization policy requiring it. Authorization runs before the
/// rate limiter and the endpoint, so a caller without a key takes no permit and has nothing of its body read.
/// </summary>
public static class BearerKeySetup
{
    /// <summary>Adds the schemes and policies.</summary>
    public static IServiceCollection AddBearerKeys(this IServiceCollection services)
    {
        services.AddSingleton<KeyDigests>();
        var authentication = services.AddAuthentication();
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in Enum.GetValues<KeyScope>())
        {
            var scheme = KeyScopes.Scheme(scope);
            authentication.AddScheme<BearerKeyOptions, BearerKeyHandler>(scheme, options => options.Scope = scope);
            authorization.AddPolicy(scheme, policy => policy.AddAuthenticationSchemes(scheme).RequireAuthenticatedUser());
        }

        return services;
    }

    /// <summary>Every route of <paramref name="group"/> needs a key of <paramref name="scope"/> when that scope has keys.</summary>
    public static RouteGroupBuilder RequireBearerKey(this RouteGroupBuilder group, KeyScope scope) => group
        .RequireAuthorization(KeyScopes.Scheme(scope))
        .WithMetadata(new RequiresBearerKey(scope))
        .ProducesProblem(StatusCodes.Status401Unauthorized);
}
