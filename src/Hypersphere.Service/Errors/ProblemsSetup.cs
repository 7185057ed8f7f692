
namespace Hypersphere.Service.Errors;

/// <summary>Wires the problem documents into the pipeline: exceptions, empty error statuses and binding failures.</summary>
public static class ProblemsSetup
{
    /// <summary>Problem details, the exception handler, and binding failures thrown (not swallowed) so the handler can explain them.</summary>
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var request = context.HttpContext.Request;
            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status404NotFound => $"there is no route {request.Method} {request.Path}; the routes are listed in /openapi/v1.json",
                StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}; the routes are listed in /openapi/v1.json",
                // Routing itself refuses a body of another media type before any endpoint runs.
                StatusCodes.Status415UnsupportedMediaType => $"the body must be JSON sent with Content-Type: application/json (or, for /v1/embeddings, a NumPy .npy array sent with Content-Type: application/x-npy), but the Content-Type was '{request.ContentType ?? "(none)"}'",
                _ => null,
            };
            if (problem.Detail is not null && !problem.Extensions.ContainsKey("error"))
            {
                problem.Extensions["error"] = problem.Status switch
                {
                    StatusCodes.Status404NotFound => "not_found",
                    StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                    StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
                    _ => "error",
                };
            }
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>Exceptions and bodiless error statuses (unknown route, wrong method) become problem documents.</summary>
    public static IApplicationBuilder UseProblemResponses(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
