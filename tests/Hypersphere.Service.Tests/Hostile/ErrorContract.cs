using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>
/// What every answer must satisfy, whatever was sent: no 5xx for bad input (503 only as <c>not_ready</c>, the
/// service's own state), every error a problem document (<c>application/problem+json</c> with <c>status</c>,
/// <c>title</c>, a non-empty <c>detail</c> and an OpenAI-shaped <c>error</c> object whose message is the detail),
/// no absolute path, stack trace or .NET type name in any body, <c>X-Content-Type-Options: nosniff</c> and no
/// <c>Server</c> header. Each rule that fails is one short line, so a fuzz run can group them.
/// </summary>
public static partial class ErrorContract
{
    /// <summary>The rules <paramref name="answer"/> breaks (empty: none).</summary>
    /// <param name="answer">The answer, or null when none came.</param>
    /// <param name="bodyExpected">False for HEAD, whose answers have no body.</param>
    /// <param name="framingRefusedByKestrel">
    /// True for requests Kestrel refuses before the app sees them (a negative Content-Length, a URL over its
    /// request-line limit): Kestrel writes those answers itself, with no body, so only the status is checked.
    /// </param>
    /// <param name="modelsRoot">The models root, which must not appear in a body either.</param>
    /// <param name="leaksChecked">False for successful answers that are documents about the service (metrics, the OpenAPI document, Swagger UI).</param>
    /// <param name="headersChecked">False to leave out the two header rules (a test of its own checks them).</param>
    public static IReadOnlyList<string> Violations(
        RawAnswer? answer, bool bodyExpected, bool framingRefusedByKestrel, string? modelsRoot = null, bool leaksChecked = true, bool headersChecked = true)
    {
        if (answer is null)
        {
            return ["no answer (timeout or connection closed)"];
        }

        var found = new List<string>();
        var problem = TryParseObject(answer.Body);
        if (answer.Status >= 500 && !(answer.Status == 503 && Code(problem) == "not_ready"))
        {
            found.Add($"{answer.Status} for a request (only 503 not_ready may be 5xx)");
        }

        if (leaksChecked || answer.Status >= 400)
        {
            found.AddRange(Leaks(answer.Text, modelsRoot));
        }

        if (framingRefusedByKestrel)
        {
            if (answer.Status is < 400 or >= 500)
            {
                found.Add($"framing error answered {answer.Status}, not 4xx");
            }

            return found;
        }

        if (headersChecked && answer.Header("x-content-type-options") is not "nosniff")
        {
            found.Add("no X-Content-Type-Options: nosniff");
        }

        if (headersChecked && answer.Header("server") is { } server)
        {
            found.Add($"Server header present ('{server}')");
        }

        if (answer.Status >= 400 && bodyExpected)
        {
            found.AddRange(ProblemViolations(answer, problem));
        }

        return found;
    }

    /// <summary>The ways <paramref name="text"/> shows the server's insides: paths, stack frames, type names.</summary>
    public static IEnumerable<string> Leaks(string text, string? modelsRoot = null)
    {
        if (AbsolutePath().Match(text) is { Success: true } path)
        {
            yield return $"absolute path in the body ('{path.Value}')";
        }

        if (modelsRoot is not null && text.Contains(modelsRoot, StringComparison.Ordinal))
        {
            yield return "the models root in the body";
        }

        if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception:", StringComparison.Ordinal) || StackFrame().IsMatch(text))
        {
            yield return "stack trace in the body";
        }

        if (TypeName().Match(text) is { Success: true } type)
        {
            yield return $".NET type name in the body ('{type.Value}')";
        }
    }

    private static IEnumerable<string> ProblemViolations(RawAnswer answer, JsonElement? parsed)
    {
        if (answer.Body.Length == 0)
        {
            yield return "error with an empty body";
            yield break;
        }

        if (answer.MediaType != "application/problem+json")
        {
            yield return $"error Content-Type is '{answer.MediaType ?? "(none)"}', not application/problem+json";
        }

        if (parsed is not { } problem)
        {
            if (answer.MediaType == "application/problem+json")
            {
                yield return "error body is not a JSON object";
            }

            yield break;
        }

        if (!problem.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out var s) || s != answer.Status)
        {
            yield return "problem 'status' missing or not the HTTP status";
        }

        if (String(problem, "title") is null or "")
        {
            yield return "problem without a 'title'";
        }

        var detail = String(problem, "detail");
        if (string.IsNullOrWhiteSpace(detail))
        {
            yield return "problem without a non-empty 'detail'";
        }

        if (!problem.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            yield return $"'error' is {(problem.TryGetProperty("error", out var e) ? e.ValueKind.ToString().ToLowerInvariant() : "missing")}, not an object {{message, type, code}}";
            yield break;
        }

        if (String(error, "message") != detail)
        {
            yield return "error.message is not the detail";
        }

        if (String(error, "type") is null)
        {
            yield return "error.type is not a string";
        }

        if (String(error, "code") is null)
        {
            yield return "error.code is not a string";
        }
    }

    private static string? Code(JsonElement? problem) =>
        problem is not { } p || !p.TryGetProperty("error", out var error) ? null
        : error.ValueKind == JsonValueKind.String ? error.GetString()
        : error.ValueKind == JsonValueKind.Object ? String(error, "code")
        : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? TryParseObject(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?<![\w.])/(tmp|work|home|app|root|usr)/[^\s""']*")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"\.cs:line \d+")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\bSystem\.[A-Z]\w*")]
    private static partial Regex TypeName();
}
