using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using Hypersphere.Deployment.Tests.Docker;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// Replays the Dockerfile's SDK stages for the service images here (no Docker engine runs on this machine): the
/// same COPY lines from the .dockerignore-filtered context, the same restore and publish commands, the same
/// clean-up. What the gpu and cpu images receive must be the service alone: framework-dependent, with ONNX
/// Runtime's Linux libraries, without TorchSharp or Windows binaries.
/// </summary>
public sealed class PublishTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public void TheBuildStagesPublishTheServiceAloneForLinuxAndTheShippedModels()
    {
        using var temp = new TempFolder();
        var replay = new StageReplay(Dockerfile.Load(), DockerIgnore.Load(), temp.Path);

        var gpu = Path.Combine(replay.Run("publish-service", StepTimeout), "out", "service");
        var cpu = Path.Combine(replay.Run("publish-service-cpu", StepTimeout), "out", "service");
        var models = Path.Combine(replay.Run("shipped-models", StepTimeout), "context", "models");

        foreach (var output in new[] { gpu, cpu })
        {
            var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).ToList();

            Assert.Contains("Hypersphere.Service.dll", files);
            Assert.Contains("appsettings.json", files);
            Assert.Contains("wwwroot/index.html", files); // the page at / (static files)
            Assert.Contains("wwwroot/app.js", files);
            Assert.Contains("wwwroot/style.css", files);
            Assert.Contains("libonnxruntime.so", files);
            Assert.DoesNotContain(files, f => f.StartsWith("runtimes/", StringComparison.Ordinal)); // RID-specific: natives flattened
            Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("libtorch", StringComparison.Ordinal));
            Assert.DoesNotContain(files, f => f.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(files, f => f is "libc10.so" or "Hypersphere.Training.dll");
            var native = files.Where(f => f.EndsWith(".dll", StringComparison.Ordinal) && !IsManaged(Path.Combine(output, f))).ToList();
            Assert.True(native.Count == 0, "Windows native libraries in a Linux image: " + string.Join(", ", native));

            // Framework-dependent on the ASP.NET Core shared framework (--self-contained false).
            var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "Hypersphere.Service.runtimeconfig.json")))!;
            var frameworks = runtimeConfig["runtimeOptions"]!["frameworks"]?.AsArray().Select(f => (string?)f!["name"]) ?? [(string?)runtimeConfig["runtimeOptions"]!["framework"]!["name"]];
            Assert.Contains("Microsoft.AspNetCore.App", frameworks);
            Assert.DoesNotContain("libcoreclr.so", files);
        }

        Assert.True(File.Exists(Path.Combine(gpu, "libonnxruntime_providers_cuda.so")), "the gpu image needs ONNX Runtime's CUDA provider");
        Assert.False(File.Exists(Path.Combine(cpu, "libonnxruntime_providers_cuda.so")), "the cpu image should not carry the CUDA provider");
        Assert.True(Directory.Exists(models), "the shipped-models stage must always produce the models folder");
        var shipped = Directory.Exists(Repository.PathOf("models")) ? Directory.GetFiles(Repository.PathOf("models"), "model.onnx", SearchOption.AllDirectories).Length : 0;
        Assert.Equal(shipped, Directory.GetFiles(models, "model.onnx", SearchOption.AllDirectories).Length);
    }

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata;
    }
}
