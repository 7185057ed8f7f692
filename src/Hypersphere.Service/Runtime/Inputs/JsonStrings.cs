using System.Text.Json;
using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Inputs;

/// <summary>
/// Reads JSON strings that a client wrote. The parser accepts an escaped lone surrogate (<c>"\ud800"</c>) as valid
/// JSON, but such a string has no text: reading it throws InvalidOperationException, which would be a 500. Here it
/// is a 400 naming the field.
/// </summary>
public static class JsonStrings
{
    /// <summary>The text of the string <paramref name="value"/> (<paramref name="name"/> in messages).</summary>
    public static string Get(JsonElement value, string name)
    {
        try
        {
            return value.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException e)
        {
            throw new HypersphereException(
                ErrorKind.BadRequest, $"{name} is not valid text: it holds an unpaired UTF-16 surrogate escape (\\ud800–\\udfff alone); send valid Unicode", e);
        }
    }
}
