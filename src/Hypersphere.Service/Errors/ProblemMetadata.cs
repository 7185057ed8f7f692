namespace Hypersphere.Service.Errors;

/// <summary>OpenAPI metadata for the problem documents every model-backed route can answer.</summary>
public static class ProblemMetadata
{
    /// <summary>Declares 400, 404, 413, 422, 429 and 503 problem responses (see <see cref="Problems"/>).</summary>
    public static RouteHandlerBuilder ProducesModelProblems(this RouteHandlerBuilder route) => route
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
