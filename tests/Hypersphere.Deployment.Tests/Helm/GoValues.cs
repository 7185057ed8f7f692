using System.Collections;
using System.Globalization;
using System.Text;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// Go's view of template values, as Helm sees them: maps (sorted keys), lists, strings, bools, int64 (template
/// literals, <c>len</c>, <c>int</c>) and float64 (every number read from values.yaml), printed the way fmt's
/// <c>%v</c> prints them — including its exponent form for large floats (67108864 → 6.7108864e+07).
/// </summary>
public static class GoValues
{
    public static SortedDictionary<string, object?> NewMap() => new(StringComparer.Ordinal);

    /// <summary>text/template's truth: false, 0, nil, "" and empty collections are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>Sprig's <c>empty</c>, which <c>default</c> uses: the same as not true.</summary>
    public static bool IsEmpty(object? value) => !IsTrue(value);

    /// <summary>The <c>reflect.Kind</c> name <c>kindIs</c> compares with.</summary>
    public static string KindOf(object? value) => value switch
    {
        null => "invalid",
        string => "string",
        bool => "bool",
        long => "int64",
        double => "float64",
        IDictionary => "map",
        IList => "slice",
        _ => value.GetType().Name,
    };

    /// <summary>fmt's <c>%v</c>.</summary>
    public static string Print(object? value) => value switch
    {
        null => string.Empty, // Helm prints missing and nil values as nothing
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        IDictionary<string, object?> map => "map[" + string.Join(" ", map.Select(p => p.Key + ":" + Print(p.Value))) + "]",
        IList list => "[" + string.Join(" ", list.Cast<object?>().Select(Print)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary><c>strconv.FormatFloat(v, 'g', -1, 64)</c>: shortest digits, exponent form when the exponent is below -4 or at least 6.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return "0";
        }

        var (negative, digits, point) = ShortestDigits(value);
        var exponent = point - 1;
        var text = new StringBuilder(negative ? "-" : string.Empty);
        if (exponent < -4 || exponent >= 6)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            text.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            text.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            text.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return text.ToString();
    }

    /// <summary>A number as Go's <c>encoding/json</c> writes it, which is what <c>toYaml</c> ends up with.</summary>
    public static string FormatJsonNumber(double value) =>
        Math.Abs(value) < 1e21 && value == Math.Floor(value)
            ? value.ToString("F0", CultureInfo.InvariantCulture)
            : FormatFloat(value);

    // The shortest round-trip digits (no leading or trailing zeros) and the decimal point position: value = 0.d1d2… × 10^point.
    private static (bool Negative, string Digits, int Point) ShortestDigits(double value)
    {
        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integral = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? string.Empty : text[(dot + 1)..];
        var all = integral + fraction;
        var point = integral.Length + exponent;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
        }

        return (value < 0, all[lead..].TrimEnd('0'), point - lead);
    }

    /// <summary>Go's <c>%q</c> of a string (what sprig's <c>quote</c> writes).</summary>
    public static string GoQuote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    // fmt.Sprint: a space between operands when neither is a string.
    public static string Sprint(object?[] values)
    {
        var text = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0 && values[i] is not string && values[i - 1] is not string)
            {
                text.Append(' ');
            }

            text.Append(Print(values[i]));
        }

        return text.ToString();
    }

    // The verbs the chart uses: %s %v %d %q %%. A mismatch prints Go's %!verb(kind=value), so a test sees it.
    public static string Printf(string format, object?[] values, string where)
    {
        var text = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                text.Append(format[i]);
                continue;
            }

            if (++i >= format.Length)
            {
                throw new TemplateException($"{where}: format ends with %");
            }

            var verb = format[i];
            if (verb == '%')
            {
                text.Append('%');
                continue;
            }

            if (next >= values.Length)
            {
                text.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var value = values[next++];
            text.Append((verb, value) switch
            {
                ('s', string s) => s,
                ('v', _) => Print(value),
                ('d', long l) => l.ToString(CultureInfo.InvariantCulture),
                ('q', string s) => GoQuote(s),
                _ => $"%!{verb}({KindOf(value)}={Print(value)})",
            });
        }

        return text.ToString();
    }
}
