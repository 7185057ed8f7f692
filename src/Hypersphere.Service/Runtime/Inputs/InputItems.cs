using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Inputs;

/// <summary>
/// The items of a JSON <c>input</c>: one item or an array of items, each a base64 image or an array of C·H·W
/// preprocessed floats. Malformed JSON shapes are <see cref="ErrorKind.BadRequest"/>; well-formed but wrong values
/// (no items, a wrong float count, a non-finite float) are <see cref="ErrorKind.InvalidInput"/>; too many items are
/// <see cref="ErrorKind.TooLarge"/>. Every message names the item.
/// </summary>
public static class InputItems
{
    /// <summary>What an item may be, for messages.</summary>
    public const string ItemShape = "a base64 PNG, JPEG or BMP image (or a data URL of one), or an array of C·H·W preprocessed floats";

    /// <summary>The items of <paramref name="input"/> (<paramref name="field"/> in messages), each with its name; between 1 and <paramref name="maxItems"/>.</summary>
    public static IReadOnlyList<(JsonElement Item, string Name)> List(JsonElement input, string field, int maxItems)
    {
        List<(JsonElement, string)> items = input.ValueKind switch
        {
            JsonValueKind.String => [(input, field)],
            // A flat array of numbers is one float item.
            JsonValueKind.Array when input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number => [(input, field)],
            JsonValueKind.Array => input.GetArrayLength() > maxItems
                ? throw new HypersphereException(ErrorKind.TooLarge, $"{field} must hold at most {maxItems} items (Hypersphere:MaxItemsPerRequest), but held {input.GetArrayLength()}")
                : input.EnumerateArray().Select((item, i) => (item, $"{field}[{i}]")).ToList(),
            JsonValueKind.Undefined or JsonValueKind.Null =>
                throw HypersphereException.Bad($"{field} is required: one item or an array of items, each {ItemShape}"),
            _ => throw HypersphereException.Bad($"{field} must be a string or an array, but was {Describe(input)}"),
        };
        return items.Count == 0 ? throw HypersphereException.Invalid($"{field} must hold at least 1 item, but was an empty array") : items;
    }

    /// <summary>How a JSON value is described in messages ("a number", "null", …).</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "missing",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => $"a number ({value.GetRawText()})",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => $"a boolean ({value.GetRawText()})",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>Reads a float item into <paramref name="destination"/>, whose length is C·H·W (<paramref name="expected"/> says so in words).</summary>
    public static void ReadFloats(JsonElement item, string name, string expected, Span<float> destination)
    {
        var length = item.GetArrayLength();
        if (length != destination.Length)
        {
            throw HypersphereException.Invalid($"{name} must hold {expected}, but held {length}");
        }

        var j = 0;
        foreach (var value in item.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw HypersphereException.Bad($"{name}[{j}] must be a number, but was {Describe(value)}");
            }

            if (!value.TryGetDouble(out var number) || !float.IsFinite((float)number))
            {
                throw HypersphereException.Invalid(string.Create(
                    CultureInfo.InvariantCulture, $"{name}[{j}] is {value.GetRawText()}, but every value must be a finite float32 (|x| < 3.4e38)"));
            }

            destination[j++] = (float)number;
        }
    }
}
