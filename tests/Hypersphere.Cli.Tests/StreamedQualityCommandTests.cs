using System.Diagnostics;
using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// <c>quality</c> on memory-mapped files: the float32 kernel on the shipped model's real embeddings, the precision
/// default by dtype, and Ctrl-C, which must stop <c>quality</c> and <c>report</c> leaving nothing behind.
/// </summary>
public sealed class StreamedQualityCommandTests
{
    [Fact]
    public void Float32KernelIsWithinOneMillionthOfFloat64OnTheShippedModelsEmbeddingsAndIsTheDefaultForFloat32Files()
    {
        using var folder = new TempFolder();
        var images = TestImages.FirstFashionMnist(folder, 2000);
        var embeddings = folder.File("e.npy");
        var (code, _, stderr) = CliProcess.Run("embed", "--model", Repository.PathOf("models", "fmnist-align-uniform", "2"), "--input", images, "--out", embeddings, "--provider", "cpu");
        Assert.True(code == 0, stderr);

        var single = Quality(embeddings, "--precision", "single");
        var @double = Quality(embeddings, "--precision", "double");
        var byDefault = Quality(embeddings);
        var (u32, u64) = (Uniformity(single), Uniformity(@double));
        Assert.NotEqual(u64, u32); // two kernels ran
        Assert.InRange(Math.Abs(u32 - u64), 0, 1e-6);
        Assert.InRange(u64, -4, -1); // real, clustered embeddings: well above the uniform optimum −3.94 at d = 128
        Assert.Equal(single, byDefault);

        // The same rows as float64: double is the default.
        var data = NpyFile.ReadMatrix(embeddings);
        var wide = folder.File("e64.npy");
        NpyFile.Write(wide, data.Values, data.Rows, data.Cols);
        Assert.Equal(@double, Quality(wide));
    }

    [Fact]
    public async Task CtrlCStopsQualityWithExitCode130AndNothingOnStdout()
    {
        using var folder = new TempFolder();
        var path = RandomFile(folder, 60_000);
        using var process = Start("quality", "--embeddings", path, "--exact", "--precision", "double", "--progress");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new List<string>();

        // The bar's first line says the exact pass is under way: Ctrl-C from then on is the verb's to handle.
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            stderr.Add(line);
            if (line.StartsWith("exact uniformity", StringComparison.Ordinal))
            {
                Interrupt(process);
                break;
            }
        }

        stderr.AddRange((await process.StandardError.ReadToEndAsync()).Split('\n'));
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 130, string.Join('\n', stderr));
        Assert.Contains(stderr, l => l.Contains("cancelled", StringComparison.Ordinal));
        Assert.Equal(string.Empty, await stdout);
    }

    [Fact]
    public async Task CtrlCStopsReportAndLeavesTheOutputFolderEmpty()
    {
        using var folder = new TempFolder();
        var path = RandomFile(folder, 150_000);
        var output = folder.Folder("report");
        using var process = Start("report", "--embeddings", path, "--exact", "--precision", "double", "--out", output);
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.Delay(3000); // started and into the exact pass, which takes over 20 s here (1.1·10¹⁰ pairs in float64)
        Interrupt(process);
        await process.WaitForExitAsync();
        var errors = await stderr;
        Assert.True(process.ExitCode == 130, errors);
        Assert.Contains("cancelled", errors, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    private static string Quality(string path, params string[] options)
    {
        var (code, stdout, stderr) = CliProcess.Run(["quality", "--embeddings", path, .. options]);
        Assert.True(code == 0, stderr);
        return stdout;
    }

    private static double Uniformity(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("uniformity").GetDouble();
    }

    private static string RandomFile(TempFolder folder, int n)
    {
        var path = folder.File("x.npy");
        NpyFile.Write(path, Core.Embeddings.SpherePoints.Uniform(n, 128, 1), n, 128);
        return path;
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hypersphere.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    /// <summary>Sends SIGINT, what Ctrl-C in a terminal sends.</summary>
    private static void Interrupt(Process process)
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
