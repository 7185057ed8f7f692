using System.Text.Json.Serialization;

namespace Hypersphere.Service.Errors;

/// <summary>
/// The <c>error</c> member of every problem document, shaped as OpenAI's API shapes its errors, so that clients
/// written for it (the official SDKs read <c>error.message</c>) show the service's own words.
/// </summary>
/// <param name="Message">What was wrong and what was expected: the problem's <c>detail</c>.</param>
/// <param name="Type">OpenAI's error category: <c>invalid_request_error</c>, <c>authentication_error</c>, <c>not_found_error</c>, <c>rate_limit_error</c>, <c>service_unavailable_error</c> or <c>server_error</c>.</param>
/// <param name="Code">The service's own code: <c>bad_request</c>, <c>invalid_input</c>, <c>too_large</c>, <c>not_found</c>, <c>unauthorized</c>, <c>overloaded</c>, <c>not_ready</c>, <c>request_timeout</c>, <c>unsupported_media_type</c>, <c>method_not_allowed</c>, <c>uri_too_long</c>, <c>collecting</c> or <c>internal</c>.</param>
public sealed record ApiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("code")] string Code)
{
    /// <summary>The error of an answer with <paramref name="status"/>, <paramref name="code"/> and <paramref name="detail"/>.</summary>
    public static ApiError For(int status, string code, string detail) => new(detail, Category(status), code);

    private static string Category(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        StatusCodes.Status503ServiceUnavailable => "service_unavailable_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
