namespace Hypersphere.Reports;

/// <summary>One drawn figure: SVG for HTML, PNG on demand for the command line.</summary>
public sealed class Figure
{
    private readonly Func<int, int, byte[]> png;
    private string? inline;

    /// <summary>Creates a figure from its SVG text and a PNG renderer.</summary>
    public Figure(string id, string title, string caption, string svg, Func<int, int, byte[]> png)
    {
        Id = id;
        Title = title;
        Caption = caption;
        Svg = svg;
        this.png = png;
    }

    /// <summary>File-name stem, e.g. <c>alignment-uniformity-plane</c>.</summary>
    public string Id { get; }

    /// <summary>Heading.</summary>
    public string Title { get; }

    /// <summary>One or two sentences on how to read it.</summary>
    public string Caption { get; }

    /// <summary>The figure as a standalone SVG document.</summary>
    public string Svg { get; }

    /// <summary>Width and height of the default render, in pixels.</summary>
    public const int DefaultWidth = 640, DefaultHeight = 480;

    /// <summary>
    /// The SVG ready to inline in HTML: no XML prolog or namespace declarations, ids prefixed with
    /// <c>hs-{Id}-</c> (so several figures on one page never share one), a <c>viewBox</c> so CSS can scale it,
    /// and <c>role="img"</c> with the title as its label.
    /// </summary>
    public string InlineSvg => inline ??= FigureFactory.Inline(this);

    /// <summary>
    /// The figure as an HTML element: <c>&lt;figure data-figure="{Id}"&gt;</c> holding <see cref="InlineSvg"/> and a
    /// <c>&lt;figcaption&gt;</c> with the title and caption (escaped), as the reports lay it out; style with <see cref="ReportStyles.Css"/>
    /// inside an element of class <c>hs-report</c>.
    /// </summary>
    public string ToHtml() =>
        "<figure data-figure=\"" + ReportText.Html(Id) + "\">\n" + InlineSvg + "\n<figcaption><strong>" + ReportText.Html(Title) + "</strong>" +
        ReportText.Html(Caption) + "</figcaption>\n</figure>";

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] Png(int width = DefaultWidth, int height = DefaultHeight) => png(width, height);
}
