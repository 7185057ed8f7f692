using Hypersphere.Service.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Hypersphere.Service.Errors;

/// <summary>Wires the problem documents into the pipeline: exceptions, bodiless error statuses and the framework's own refusals.</summary>
public static class ProblemsSetup
{
    /// <summary>Problem details (always problem+json, with an OpenAI-shaped <c>error</c>), the exception handler, and binding failures thrown so the handler can explain them.</summary>
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        // Before AddProblemDetails, so it is the first writer the problem details service asks.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => Complete(context.ProblemDetails, context.HttpContext.Request));
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

    /// <summary>Gives a problem the framework made (a status code page, a rate limiter's refusal) its detail and <c>error</c>.</summary>
    private static void Complete(ProblemDetails problem, HttpRequest request)
    {
        (string Code, string Detail) fallback = problem.Status switch
        {
            StatusCodes.Status404NotFound => ("not_found", $"there is no route {request.Method} {request.Path}; the routes are listed in {OpenApi.ApiDocumentation.DocumentPath}"),
            StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", $"{request.Path} does not take {request.Method}; the routes are listed in {OpenApi.ApiDocumentation.DocumentPath}"),
            // Routing itself refuses a body of another media type before any endpoint runs.
            StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", Api.RequestBodies.MediaTypeDetail(request.ContentType)),
            StatusCodes.Status400BadRequest => ("bad_request", "the request is malformed"),
            StatusCodes.Status401Unauthorized => ("unauthorized", "this route needs a bearer key"),
            var status => ("error", $"the service answered {status}"),
        };
        problem.Detail ??= fallback.Detail;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status ?? 500);
        if (!problem.Extensions.ContainsKey(Problems.Error))
        {
            problem.Extensions[Problems.Error] = ApiError.For(problem.Status ?? 500, fallback.Code, problem.Detail);
        }
    }
}
