using Hypersphere.Service.Runtime.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hypersphere.Service.Api;

/// <summary><c>POST /admin/reload</c>: rescan the models folder now and say what changed.</summary>
public static class AdminApi
{
    /// <summary>Maps the routes under <paramref name="routes"/> (the <c>/admin</c> group).</summary>
    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).WithTags("Admin");
        group.MapPost("/reload", ReloadAsync)
            .WithName("ReloadModels")
            .WithSummary("Rescan the models folder: load new versions, reload changed ones, unload removed ones")
            .WithDescription("A version that cannot be loaded (sha256 mismatch, corrupt ONNX) is refused and listed under `failed`; the version that served before keeps serving. 401 without the admin key when Hypersphere:AdminKeys is set; 503 while shutting down.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Ok<ReloadReport>> ReloadAsync(ModelRegistry registry, CancellationToken cancellationToken) =>
        TypedResults.Ok(await registry.ReloadAsync(cancellationToken));
}
