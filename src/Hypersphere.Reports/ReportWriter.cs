namespace Hypersphere.Reports;

/// <summary>Writes a report folder: <c>report.html</c>, optionally <c>report.json</c>, and one .svg and .png per figure.</summary>
public static class ReportWriter
{
    /// <summary>Writes the files of an audit into <paramref name="directory"/> (created if missing); each file appears whole or not at all.</summary>
    public static IReadOnlyList<string> Write(string directory, AuditDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Write(directory, document.Html, document.Json, document.Figures);
    }

    /// <summary>Writes the files of a runs report.</summary>
    public static IReadOnlyList<string> Write(string directory, RunsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Write(directory, document.Html, null, document.Figures);
    }

    private static List<string> Write(string directory, string html, string? json, IReadOnlyList<Figure> figures)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Put(string name, byte[] bytes)
        {
            var path = System.IO.Path.Combine(directory, name);
            Core.IO.AtomicFile.Write(path, bytes);
            written.Add(path);
        }

        foreach (var figure in figures)
        {
            Put(figure.Id + ".svg", Utf8(figure.Svg));
            Put(figure.Id + ".png", figure.Png());
        }

        if (json is not null)
        {
            Put("report.json", Utf8(json + "\n"));
        }

        Put("report.html", Utf8(html));
        return written;
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
