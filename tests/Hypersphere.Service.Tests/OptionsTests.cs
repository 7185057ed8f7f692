using System.Diagnostics;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

public sealed class OptionsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The real process: a setting that fails validation stops it with one line naming the setting and exit code 2.</summary>
    [Theory]
    [InlineData("Hypersphere:ExecutionProvider", "gpu", "Hypersphere:ExecutionProvider must be auto, cuda or cpu")]
    [InlineData("Hypersphere:MaxItemsPerRequest", "0", "Hypersphere:MaxItemsPerRequest must be between 1 and")]
    [InlineData("Hypersphere:MaxBodyBytes", "10", "Hypersphere:MaxBodyBytes must be between 1024 and")]
    [InlineData("Hypersphere:MaxBatchSize", "-3", "Hypersphere:MaxBatchSize must be between 0 and")]
    [InlineData("Hypersphere:MaxBatchDelayMs", "-1", "Hypersphere:MaxBatchDelayMs must be between 0 and")]
    [InlineData("Hypersphere:CudnnConvAlgoSearch", "FASTEST", "Hypersphere:CudnnConvAlgoSearch must be HEURISTIC, EXHAUSTIVE or DEFAULT")]
    [InlineData("Hypersphere:CudaArenaExtendStrategy", "double", "Hypersphere:CudaArenaExtendStrategy must be kSameAsRequested or kNextPowerOfTwo")]
    [InlineData("Hypersphere:CudaMemoryLimitBytes", "-1", "Hypersphere:CudaMemoryLimitBytes must be between 0 and")]
    [InlineData("Hypersphere:ModelsPath", "/no/such/models", "Hypersphere:ModelsPath '/no/such/models' does not exist")]
    [InlineData("Hypersphere:DefaultModel", "a@b@c", "Hypersphere:DefaultModel must be 'name' or 'name@version'")]
    [InlineData("Hypersphere:ApiKeys:0", " ", "Hypersphere:ApiKeys:0 is empty")]
    [InlineData("Hypersphere:AdminKeys", "a-good-key,", "Hypersphere:AdminKeys:1 is empty")]
    [InlineData("Hypersphere:RequestTimeoutMs", "0", "Hypersphere:RequestTimeoutMs must be between 1 and")]
    [InlineData("Hypersphere:ShutdownTimeoutSeconds", "0", "Hypersphere:ShutdownTimeoutSeconds must be between 1 and")]
    [InlineData("Hypersphere:ModelWatch", "fanotify", "Hypersphere:ModelWatch must be inotify, poll or off")]
    [InlineData("Hypersphere:MetricsPort", "70000", "Hypersphere:MetricsPort must be between 0 and 65535")]
    [InlineData("Hypersphere:ModelPollSeconds", "0", "Hypersphere:ModelPollSeconds must be between 1 and")]
    [InlineData("Hypersphere:MaxQueue", "lots", "at 'Hypersphere:MaxQueue' to type 'System.Int32'")]
    [InlineData("Hypersphere:LiveQualityWindow", "-1", "Hypersphere:LiveQualityWindow must be between 0 and")]
    [InlineData("Hypersphere:LiveQualitySampleFraction", "0", "Hypersphere:LiveQualitySampleFraction must be above 0 and at most 1")]
    [InlineData("Hypersphere:LiveQualitySampleFraction", "1.5", "Hypersphere:LiveQualitySampleFraction must be above 0 and at most 1")]
    [InlineData("Hypersphere:LiveQualityIntervalSeconds", "0", "Hypersphere:LiveQualityIntervalSeconds must be between 1 and")]
    public async Task ABadSettingStopsTheProcessWithAMessageNamingIt(string key, string value, string message)
    {
        var start = new ProcessStartInfo(DotnetHost(), [
            Path.Combine(AppContext.BaseDirectory, "Hypersphere.Service.dll"),
            $"--Hypersphere:ModelsPath={_temp.Folder("models")}",
            $"--{key}={value}",
            "--urls=http://127.0.0.1:0",
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _temp.Path,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var error = await stderr;
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}; stdout: {await stdout}; stderr: {error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheModelsFolderIsFoundByWalkingUpFromTheContentRoot()
    {
        var models = _temp.Folder("repo", "models");
        var deep = _temp.Folder("repo", "src", "Hypersphere.Service");

        Assert.Equal(models, HypersphereOptionsSetup.FindModelsFolder(deep));
    }

    [Theory]
    [InlineData("toy", "toy", null)]
    [InlineData("toy@2", "toy", "2")]
    [InlineData("fashion-mnist@2025.11.30", "fashion-mnist", "2025.11.30")]
    public void AModelReferenceIsANameWithAnOptionalVersion(string text, string name, string? version) =>
        Assert.Equal(new ModelReference(name, version), ModelReference.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("@1")]
    [InlineData("toy@")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(" toy")]
    public void AMalformedModelReferenceIsInvalidInput(string text)
    {
        var e = Assert.Throws<Core.Errors.HypersphereException>(() => ModelReference.Parse(text));
        Assert.Equal(Core.Errors.ErrorKind.InvalidInput, e.Kind);
    }

    internal static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
}
