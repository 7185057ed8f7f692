using Hypersphere.Core.IO;

namespace Hypersphere.Reports;

/// <summary>Writes a report folder: <c>report.html</c>, optionally <c>report.json</c>, and one .svg and .png per figure.</summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes the files of an audit into <paramref name="directory"/> (created if missing); each file appears whole or
    /// not at all, and on error none of this call's files stays behind (nor the folder, if this call created it).
    /// </summary>
    /// <returns>The paths written, figures first, <c>report.html</c> last.</returns>
    public static IReadOnlyList<string> Write(string directory, AuditDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Write(directory, document.Html, document.Json, document.Figures);
    }

    /// <summary>Writes the files of a runs report (no <c>report.json</c>), with the same guarantees.</summary>
    public static IReadOnlyList<string> Write(string directory, RunsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Write(directory, document.Html, null, document.Figures);
    }

    private static List<string> Write(string directory, string html, string? json, IReadOnlyList<Figure> figures)
    {
        ArgumentNullException.ThrowIfNull(directory);

        // Everything is rendered before the first file is touched: a figure that fails to draw writes nothing.
        var files = new List<(string Name, byte[] Bytes)>();
        foreach (var figure in figures)
        {
            files.Add((figure.Id + ".svg", Utf8(figure.Svg)));
            files.Add((figure.Id + ".png", figure.Png()));
        }

        if (json is not null)
        {
            files.Add(("report.json", Utf8(json + "\n")));
        }

        files.Add(("report.html", Utf8(html)));

        var created = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        try
        {
            foreach (var (name, bytes) in files)
            {
                var path = Path.Combine(directory, name);
                AtomicFile.Write(path, bytes);
                written.Add(path);
            }
        }
        catch
        {
            foreach (var path in written)
            {
                TryDelete(path);
            }

            if (created)
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException)
                {
                }
            }

            throw;
        }

        return written;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
