namespace Hypersphere.Reports;

/// <summary>One drawn figure: SVG for HTML, PNG on demand for the command line.</summary>
public sealed class Figure
{
    private readonly Func<int, int, byte[]> png;

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

    /// <summary>The figure as PNG bytes.</summary>
    public byte[] Png(int width = DefaultWidth, int height = DefaultHeight) => png(width, height);
}
