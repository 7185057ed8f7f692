using Hypersphere.Service.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hypersphere.Service.OpenApi;

/// <summary>
/// The optional bearer keys of <see cref="BearerKeySetup"/> as OpenAPI: one HTTP bearer scheme per <see cref="KeyScope"/>
/// in <c>components.securitySchemes</c>, and a requirement of it on every operation whose endpoint carries
/// <see cref="RequiresBearerKey"/> (the marker the key check itself reads), so the document follows the routes,
/// not their paths. Unmarked operations (health, metrics) get no requirement. Their 401 response comes from
/// <see cref="BearerKeySetup.RequireBearerKey"/>.
/// </summary>
internal sealed class BearerKeySchemes : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    /// <summary>The scheme names in <c>components.securitySchemes</c>.</summary>
    public const string ApiScheme = "api_key", AdminScheme = "admin_key";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var scope in Enum.GetValues<KeyScope>())
        {
            var (name, setting, routes) = Describe(scope);
            document.AddComponent(name, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = $"A key from the setting {setting}, sent as 'Authorization: Bearer <key>'. "
                    + $"Enforced on {routes} only when {setting} is non-empty; while it is empty, {routes} is open.",
            });
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiresBearerKey>().LastOrDefault() is { } required)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(Describe(required.Scope).Name, context.Document)] = [],
            });
        }

        return Task.CompletedTask;
    }

    private static (string Name, string Setting, string Routes) Describe(KeyScope scope) =>
        (scope == KeyScope.Admin ? AdminScheme : ApiScheme, KeyScopes.Setting(scope), KeyScopes.Routes(scope));
}
