using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Service.Serving;

namespace Hypersphere.Service.Embeddings;

/// <summary>Input items preprocessed for a model: <see cref="Count"/>·C·H·W floats.</summary>
/// <param name="Pixels">The model's input, channel-first, item after item.</param>
/// <param name="Count">Number of items.</param>
public sealed record PreprocessedItems(float[] Pixels, int Count);

/// <summary>
/// Reads the <c>input</c> of an embeddings (or image quality) request and preprocesses it for a model.
/// Malformed JSON shapes and undecodable data are <see cref="ErrorKind.BadRequest"/>; well-formed but wrong
/// values (no items, a wrong float count, a non-finite float) are <see cref="ErrorKind.InvalidInput"/>;
/// too many items or too many pixels are <see cref="ErrorKind.TooLarge"/>. Every message names the item.
/// </summary>
public static class InputItems
{
    private const string ItemShape = "a base64 PNG, JPEG or BMP image (or a data URL of one), or an array of C·H·W preprocessed floats";

    /// <summary>Preprocesses <paramref name="input"/> (<paramref name="field"/> in messages) for <paramref name="model"/>.</summary>
    public static PreprocessedItems Read(JsonElement input, LoadedModel model, int maxItems, string field = "input")
    {
        ArgumentNullException.ThrowIfNull(model);
        var items = Items(input, field);
        if (items.Count == 0)
        {
            throw HypersphereException.Invalid($"{field} must hold at least 1 item, but was an empty array");
        }

        if (items.Count > maxItems)
        {
            throw new HypersphereException(ErrorKind.TooLarge, $"{field} must hold at most {maxItems} items (Hypersphere:MaxItemsPerRequest), but held {items.Count}");
        }

        var size = model.Preprocessor.ImageSize;
        var pixels = new float[checked(items.Count * size)];
        for (var i = 0; i < items.Count; i++)
        {
            var (item, name) = items[i];
            var destination = pixels.AsSpan(i * size, size);
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    DecodeImage(item.GetString()!, name, model, destination);
                    break;
                case JsonValueKind.Array:
                    ReadFloats(item, name, model, destination);
                    break;
                default:
                    throw HypersphereException.Bad($"{name} must be {ItemShape}, but was {Describe(item)}");
            }
        }

        return new PreprocessedItems(pixels, items.Count);
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

    private static List<(JsonElement Item, string Name)> Items(JsonElement input, string field)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return [(input, field)];
            case JsonValueKind.Array when input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number:
                return [(input, field)]; // a flat array of numbers is one float item
            case JsonValueKind.Array:
                return input.EnumerateArray().Select((item, i) => (item, $"{field}[{i}]")).ToList();
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw HypersphereException.Bad($"{field} is required: one item or an array of items, each {ItemShape}");
            default:
                throw HypersphereException.Bad($"{field} must be a string or an array, but was {Describe(input)}");
        }
    }

    private static void DecodeImage(string text, string name, LoadedModel model, Span<float> destination)
    {
        var bytes = Base64Image.Decode(text, name);
        try
        {
            model.Preprocessor.FromEncoded(bytes, destination);
        }
        catch (HypersphereException e)
        {
            throw new HypersphereException(e.Kind, $"{name}: {e.Message}", e);
        }
    }

    private static void ReadFloats(JsonElement item, string name, LoadedModel model, Span<float> destination)
    {
        var spec = model.Card.Input;
        var length = item.GetArrayLength();
        if (length != destination.Length)
        {
            throw HypersphereException.Invalid(
                $"{name} must hold C·H·W = {spec.Channels}·{spec.Height}·{spec.Width} = {destination.Length} floats for model {model.Id}, but held {length}");
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
