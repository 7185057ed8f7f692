using System.Text;

namespace Hypersphere.Reports.Tests;

/// <summary>A report folder is written whole, or not at all.</summary>
public sealed class ReportWriterTests
{
    [Fact]
    public void WritesEveryFileWhole()
    {
        using var temp = new TempFolder();
        var document = AuditReport.Build(Data.Audit(120, 6));
        var folder = temp.File("out", "nested");
        var written = ReportWriter.Write(folder, document);

        var expected = document.Figures.SelectMany(f => new[] { f.Id + ".svg", f.Id + ".png" }).Append("report.json").Append("report.html").ToList();
        Assert.Equal(expected, written.Select(Path.GetFileName));
        Assert.Equal(expected.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Equal(document.Html, File.ReadAllText(Path.Combine(folder, "report.html"), Encoding.UTF8));
        Assert.Equal(document.Json + "\n", File.ReadAllText(Path.Combine(folder, "report.json"), Encoding.UTF8));
        foreach (var figure in document.Figures)
        {
            Assert.Equal(figure.Svg, File.ReadAllText(Path.Combine(folder, figure.Id + ".svg"), Encoding.UTF8));
            var png = File.ReadAllBytes(Path.Combine(folder, figure.Id + ".png"));
            Assert.Equal(figure.Png(), png);
        }
    }

    [Fact]
    public void AFigureThatFailsToDrawLeavesNothing()
    {
        using var temp = new TempFolder();
        var good = AuditReport.Build(Data.Audit(60, 4));
        var broken = new Figure("broken", "Broken", "fails", "<svg/>", (_, _) => throw new InvalidOperationException("no canvas"));
        var document = good with { Figures = [.. good.Figures, broken] };
        var folder = temp.File("never");
        Assert.Throws<InvalidOperationException>(() => ReportWriter.Write(folder, document));
        Assert.False(Directory.Exists(folder));

        var existing = temp.Folder("existing");
        File.WriteAllText(Path.Combine(existing, "keep.txt"), "mine");
        Assert.Throws<InvalidOperationException>(() => ReportWriter.Write(existing, document));
        Assert.Equal(["keep.txt"], Directory.GetFiles(existing).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteRemovesWhatThisCallWrote()
    {
        using var temp = new TempFolder();
        var document = AuditReport.Build(Data.Audit(60, 4));
        var folder = temp.Folder("out");

        // report.html cannot be written: a folder of that name is in the way, after the figures went through.
        Directory.CreateDirectory(Path.Combine(folder, "report.html"));
        Assert.ThrowsAny<IOException>(() => ReportWriter.Write(folder, document));
        Assert.Equal(["report.html"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(folder));
    }
}
