using System.Text.RegularExpressions;
using ScottPlot;
using SkiaSharp;

namespace Hypersphere.Reports;

/// <summary>Common styling of the plots and their conversion into <see cref="Figure"/>s.</summary>
internal static partial class FigureFactory
{
    /// <summary>The font the figures use: the first of these families the machine has (Skia looks in /usr/share/fonts).</summary>
    public static string? FontName { get; } = PickFont("DejaVu Sans", "Liberation Sans", "Noto Sans", "FreeSans", "Arial");

    /// <summary>Colours for classes and runs (Tableau 10).</summary>
    public static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (FontName is not null)
        {
            plot.Font.Set(FontName);
        }

        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        return plot;
    }

    public static Figure ToFigure(string id, string title, string caption, Plot plot)
    {
        var svg = Renumber(plot.GetSvgXml(Figure.DefaultWidth, Figure.DefaultHeight));
        var gate = new object();
        return new Figure(id, title, caption, svg, (width, height) =>
        {
            lock (gate)
            {
                return plot.GetImageBytes(width, height, ImageFormat.Png);
            }
        });
    }

    /// <summary>
    /// The SVG made fit for inlining into HTML: no XML prolog or namespace declarations, href for xlink:href, ids prefixed with the figure's id
    /// so several figures on one page do not clash, a viewBox so CSS can scale it, and a generic font fallback.
    /// </summary>
    public static string Inline(Figure figure)
    {
        var svg = figure.Svg;
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start > 0)
        {
            svg = svg[start..];
        }

        // Inline SVG in HTML needs no namespace declarations, and SVG 2's plain href replaces xlink:href (the colour
        // bar's image): no URL is left in the page at all, and the fragment still parses as XML.
        svg = svg.Replace(" xmlns=\"http://www.w3.org/2000/svg\"", string.Empty, StringComparison.Ordinal)
            .Replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", string.Empty, StringComparison.Ordinal)
            .Replace(" xlink:href=\"", " href=\"", StringComparison.Ordinal);

        var prefix = "hs-" + figure.Id + "-";
        svg = IdAttribute().Replace(svg, m => m.Groups[1].Value + prefix + m.Groups[2].Value + "\"");
        svg = UrlReference().Replace(svg, m => "url(#" + prefix + m.Groups[1].Value + ")");
        svg = HashReference().Replace(svg, m => m.Groups[1].Value + "=\"#" + prefix + m.Groups[2].Value + "\"");
        svg = FontFamily().Replace(svg, m => "font-family=\"" + m.Groups[1].Value + ", sans-serif\"");
        var size = SvgSize().Match(svg);
        if (size.Success)
        {
            svg = string.Concat(
                svg.AsSpan(0, size.Index),
                $"<svg role=\"img\" aria-label=\"{ReportText.Html(figure.Title)}\" viewBox=\"0 0 {size.Groups[1].Value} {size.Groups[2].Value}\" ",
                svg.AsSpan(size.Index + "<svg ".Length));
        }

        return svg.TrimEnd();
    }

    /// <summary>
    /// Skia numbers clip paths (and the colour bar's image) with a process-wide counter: renumbered in order of
    /// appearance (<c>clip0</c>, <c>clip1</c>, …), with their <c>url(#…)</c> and <c>href="#…"</c> references, so the
    /// same figure gives the same SVG every time.
    /// </summary>
    private static string Renumber(string svg)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        svg = IdAttribute().Replace(svg, m =>
        {
            var name = "clip" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            names.TryAdd(m.Groups[2].Value, name);
            return m.Groups[1].Value + names[m.Groups[2].Value] + "\"";
        });
        svg = UrlReference().Replace(svg, m => "url(#" + (names.TryGetValue(m.Groups[1].Value, out var name) ? name : m.Groups[1].Value) + ")");
        return HashReference().Replace(svg, m => m.Groups[1].Value + "=\"#" + (names.TryGetValue(m.Groups[2].Value, out var name) ? name : m.Groups[2].Value) + "\"");
    }

    private static string? PickFont(params string[] families)
    {
        try
        {
            var available = new HashSet<string>(SKFontManager.Default.GetFontFamilies(), StringComparer.OrdinalIgnoreCase);
            return families.FirstOrDefault(available.Contains);
        }
        catch (TypeInitializationException)
        {
            return null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }

    [GeneratedRegex("( id=\")([^\"]*)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"url\(#([^)]*)\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("((?:xlink:)?href)=\"#([^\"]*)\"")]
    private static partial Regex HashReference();

    [GeneratedRegex("font-family=\"([^\"]*)\"")]
    private static partial Regex FontFamily();

    [GeneratedRegex("<svg [^>]*?width=\"([0-9.]+)\" height=\"([0-9.]+)\"")]
    private static partial Regex SvgSize();
}
