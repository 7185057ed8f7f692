using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hypersphere.Service.Errors;

/// <summary>
/// Rewrites System.Text.Json's messages for people: "The JSON value could not be converted to
/// System.Nullable`1[System.Double]. Path: $.alpha" becomes "$.alpha must be a number".
/// </summary>
internal static partial class JsonErrorText
{
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var where = exception.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {exception.BytePositionInLine + 1})")
            : string.Empty;
        var conversion = Conversion().Match(exception.Message);
        if (exception.InnerException is InvalidOperationException { Message: var inner } && inner.Contains("UTF-16", StringComparison.Ordinal))
        {
            // An escaped lone surrogate ("\ud800") parses as JSON but is no text.
            var path = exception.Path ?? (conversion.Success ? conversion.Groups["path"].Value : "a string");
            return $"{path} is not valid text: it holds an unpaired UTF-16 surrogate escape (\\ud800–\\udfff alone){where}; send valid Unicode";
        }

        var duplicate = Duplicate().Match(exception.Message);
        if (duplicate.Success)
        {
            var key = duplicate.Groups["name"].Value;
            return $"the key '{key}' appears twice in one object{where}; every key may appear once";
        }

        if (conversion.Success)
        {
            var path = exception.Path ?? conversion.Groups["path"].Value;
            var type = conversion.Groups["type"].Value;
            return path == "$"
                ? $"the body must be a JSON object{where}"
                : (Expected(FieldType(type, path)) ?? Expected(type)) is { } expected
                    ? $"{path} must be {expected}{where}"
                    : $"{path} has the wrong JSON type{where}; the schema is in /openapi/v1.json";
        }

        var message = Location().Replace(exception.Message, string.Empty).TrimEnd('.', ' ');
        var at = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? string.Empty : $" at {exception.Path}";
        return $"the body is not valid JSON{at}{where}: {message}";
    }

    /// <summary>
    /// For records bound through their constructors the serializer names the record, not the field; the
    /// field's own type is then read off the record's property whose snake_case name ends the path.
    /// </summary>
    private static string? FieldType(string recordType, string path)
    {
        var field = path[(path.LastIndexOf('.') + 1)..];
        var property = typeof(JsonErrorText).Assembly.GetType(recordType)?.GetProperties()
            .FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == field);
        return property?.PropertyType.ToString();
    }

    private static string? Expected(string? clrType) => clrType switch
    {
        null => null,
        _ when clrType.Contains("System.String", StringComparison.Ordinal) => "a string",
        _ when clrType.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
        _ when clrType.Contains("System.Double", StringComparison.Ordinal) || clrType.Contains("System.Single", StringComparison.Ordinal) => "a number",
        _ when clrType.Contains("System.Int", StringComparison.Ordinal) => "an integer",
        _ when clrType.Contains("[]", StringComparison.Ordinal) || clrType.Contains("List", StringComparison.Ordinal) => "an array",
        _ => null,
    };

    [GeneratedRegex(@"could not be converted to (?<type>.+?)\. Path: (?<path>[^ |]+)")]
    private static partial Regex Conversion();

    [GeneratedRegex(@"Duplicate property '(?<name>[^']*)'")]
    private static partial Regex Duplicate();

    [GeneratedRegex(@"\s*(Path: \S+ \| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex Location();
}
