using System.Text.Json;

namespace Hypersphere.Cli.Tests;

/// <summary>`train` and `eval` through the real executable, on a small slice of Debian's Fashion-MNIST.</summary>
public class TrainCommandTests
{
    private static readonly string[] Tiny = ["--limit", "256", "--batch-size", "64", "--width", "0.0625", "--feature-dim", "16", "--threads", "2"];

    [Fact]
    public void TrainWritesACheckpointAndOneLogLinePerEpochThenEvalPrintsFractions()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var (code, _, stderr) = CliProcess.Run(["train", "--epochs", "2", "--out", run, .. Tiny]);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.bin")));
        var lines = File.ReadAllLines(Path.Combine(run, "train.jsonl"));
        Assert.Equal(2, lines.Length);
        Assert.Equal(2, JsonDocument.Parse(lines[1]).RootElement.GetProperty("epoch").GetInt32());

        (code, var stdout, stderr) = CliProcess.Run("eval", "--checkpoint", run, "--protocol", "knn", "--limit", "300", "--threads", "2");
        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.InRange(report.GetProperty("knn5_output").GetDouble(), 0, 1);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("linear_output").ValueKind);
        Assert.True(report.GetProperty("uniformity").GetDouble() <= 0);
        Assert.True(File.Exists(Path.Combine(run, "eval.json")));
    }

    [Fact]
    public void TrainingIntoAnExistingRunWithoutResumeIsRefused()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        Assert.Equal(0, CliProcess.Run(["train", "--epochs", "1", "--max-steps", "1", "--out", run, .. Tiny]).ExitCode);
        var (code, _, stderr) = CliProcess.Run(["train", "--epochs", "1", "--out", run, .. Tiny]);
        Assert.NotEqual(0, code);
        Assert.Contains("--resume", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--loss", "simclr", "loss must be one of")]
    [InlineData("--batch-size", "1000", "batch size must be between 2 and the number of training images (256), but was 1000")]
    [InlineData("--dataset", "imagenet", "unknown data set 'imagenet'")]
    public void BadTrainingSettingsFailWithOneLine(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var args = new List<string>(Tiny);
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args.RemoveRange(at, 2);
        }

        var (code, _, stderr) = CliProcess.Run(["train", "--epochs", "1", "--out", folder.File("run"), .. args, option, value]);
        Assert.NotEqual(0, code);
        // A warning about this machine's kernels (OneDnnGuard) may precede the error; it is no part of it.
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning: ", StringComparison.Ordinal)).ToArray();
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void EvalOfAFolderWithoutCheckpointSaysSo()
    {
        using var folder = new TempFolder();
        var (code, _, stderr) = CliProcess.Run("eval", "--checkpoint", folder.Path);
        Assert.Equal(5, code);
        Assert.Contains("no checkpoint", stderr, StringComparison.Ordinal);
    }
}
