using System.Globalization;
using System.Net;
using System.Text;

namespace Hypersphere.Reports;

/// <summary>How user text and numbers appear in the report.</summary>
internal static class ReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>HTML-escaped text (also safe inside a double- or single-quoted attribute).</summary>
    public static string Html(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>
    /// User text for a figure: control characters and lone surrogates (which XML cannot hold) replaced,
    /// cut to <paramref name="max"/> characters. ScottPlot's SVG writer escapes &lt;, &amp; and quotes itself;
    /// the figure tests check that it still does.
    /// </summary>
    public static string Plot(string? text, int max = 48)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, max + 1));
        for (var i = 0; i < text.Length && builder.Length < max; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c) || char.IsControl(c) || c == '\uFFFE' || c == '\uFFFF')
            {
                builder.Append(c is '\n' or '\r' or '\t' ? ' ' : '\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        if (builder.Length >= max && text.Length > max)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>Round-trip form, exactly as the JSON writes it (shortest string that parses back to the same double).</summary>
    public static string Exact(double value) => value.ToString("R", Invariant);

    /// <summary>For people: whole numbers as they are, else four decimals, or six significant digits for very large or small magnitudes.</summary>
    public static string Readable(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return value.ToString(Invariant);
        }

        var magnitude = Math.Abs(value);
        if (magnitude < 1e6 && value == Math.Round(value))
        {
            return value.ToString("F0", Invariant);
        }

        return magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3) ? value.ToString("G6", Invariant) : value.ToString("F4", Invariant);
    }

    /// <summary>Invariant formatting shorthand.</summary>
    public static string F(FormattableString text) => text.ToString(Invariant);
}
