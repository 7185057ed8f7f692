using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;

namespace Hypersphere.Service.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and Swagger UI at <c>/swagger</c>.</summary>
public static class ApiDocumentation
{
    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Adds the document generator with titles, polymorphic field schemas, examples and the bearer key schemes.</summary>
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Hypersphere";
            document.Info.Description = "Embeddings on the unit hypersphere from served ONNX models, and their alignment and uniformity (Wang & Isola 2020). Errors are application/problem+json.";
            // The generator lists the request's own Host as the server; a client's Host header is not ours to echo.
            // Without servers, paths are relative to wherever the document was fetched from.
            document.Servers?.Clear();
            return Task.CompletedTask;
        });
        // JsonElement fields get their own inline schemas (FlexibleFieldSchemas), not one shared "anything".
        options.CreateSchemaReferenceId = type => type.Type == typeof(JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddSchemaTransformer<FlexibleFieldSchemas>();
        options.AddDocumentTransformer<BearerKeySchemes>();
        options.AddOperationTransformer<BearerKeySchemes>();
        options.AddOperationTransformer<NpyContent>();
        options.AddOperationTransformer<QualityReportContent>();
    });

    /// <summary>Maps the document and the UI.</summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "swagger";
            options.SwaggerEndpoint(DocumentPath, "Hypersphere v1");
            options.DocumentTitle = "Hypersphere API";
        });
        return app;
    }
}
