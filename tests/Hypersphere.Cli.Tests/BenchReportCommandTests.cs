namespace Hypersphere.Cli.Tests;

/// <summary><c>bench report</c> runs end to end on a small input and prints every phase; its numbers are not judged.</summary>
public sealed class BenchReportCommandTests
{
    [Fact]
    public void PrintsEachPhaseAndTheReportsSummary()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "report", "--n", "400", "--dim", "16", "--repeats", "1");

        Assert.True(code == 0, stderr);
        foreach (var phase in new[] { "read + quality analysis", "figures + HTML", "write (", "total", "N = 400, d = 16", "5-NN" })
        {
            Assert.Contains(phase, stdout, StringComparison.Ordinal);
        }
    }
}
