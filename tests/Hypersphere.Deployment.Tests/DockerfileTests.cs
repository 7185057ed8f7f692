using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hypersphere.Deployment.Tests.Docker;
using Hypersphere.Deployment.Tests.Helm;
using Hypersphere.Service.Hosting;

namespace Hypersphere.Deployment.Tests;

/// <summary>The Dockerfile's targets, base images, users, ports and layers, read statically.</summary>
public sealed partial class DockerfileTests
{
    /// <summary>The service's publish command, exactly as the build stage runs it (PublishTests replays it).</summary>
    public const string ServicePublish = "dotnet publish src/Hypersphere.Service -c Release -r linux-x64 --self-contained false -o /out/service";

    private static readonly string[] RuntimeTargets = ["gpu", "cpu"];
    private readonly Dockerfile _dockerfile = Dockerfile.Load();

    [Fact]
    public void TheGpuCpuAndTrainerTargetsExistAndAPlainBuildMakesTheGpuImage()
    {
        var names = _dockerfile.Stages.Select(s => s.Name).ToList();

        Assert.Contains("gpu", names);
        Assert.Contains("cpu", names);
        Assert.Contains("trainer", names);
        Assert.Equal("gpu", _dockerfile.Default.Name);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void BaseImagesAreTheDotNet10SdkAndRuntimesAndCuda13WithCudnn9OnUbuntu2404()
    {
        Assert.StartsWith(StageReplay.SdkImage + "10.0", _dockerfile["build"].Base, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", _dockerfile["cpu"].Base, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime:10.0", _dockerfile["trainer"].Base, StringComparison.Ordinal);
        Assert.Matches(CudaImage(), _dockerfile["gpu"].Base);

        // The gpu image gets the ASP.NET Core runtime from the same aspnet image the cpu target runs on.
        var runtime = Assert.Single(_dockerfile["gpu"].Copies(), c => c.Destination == "/usr/share/dotnet");
        Assert.Equal(_dockerfile["cpu"].Base, _dockerfile[runtime.From!].Base);
    }

    [Fact]
    public void EveryImageIsUbuntu2404SoTheTrainerNeedsNoGlibcxxOverride()
    {
        // TorchSharp's library needs GLIBCXX_3.4.32; Ubuntu 24.04 has it, so the build stage's "auto" patch is a
        // no-op and the trainer publish passes no TorchSharpGlibcxxPatch. A Debian 12 SDK image would patch.
        var tag = _dockerfile.GlobalArguments["DOTNET_TAG"];
        Assert.True(tag is "10.0" || tag.EndsWith("-noble", StringComparison.Ordinal), $"DOTNET_TAG {tag} is not an Ubuntu 24.04 tag");
        Assert.Contains("ubuntu24.04", _dockerfile["gpu"].Base, StringComparison.Ordinal);
        var trainerPublish = Assert.Single(_dockerfile["publish-trainer"].All("RUN"), r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.DoesNotContain("TorchSharpGlibcxxPatch", trainerPublish.Arguments, StringComparison.Ordinal);
        Assert.StartsWith("dotnet publish src/Hypersphere.Cli -c Release -r linux-x64 --self-contained false -o /out/trainer", trainerPublish.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTrainerGpuTargetPublishesTheCliWithLibtorchForCudaOnCuda128WithCudnn9()
    {
        var stage = _dockerfile["trainer-gpu"];
        Assert.Matches(CudaTrainerImage(), stage.Base);

        // The CLI from its own publish stage, restored and published with the CUDA flavour (TorchFlavourTests: the swap).
        var app = Assert.Single(stage.Copies(), c => c.Destination.TrimEnd('/') == "/app");
        var publish = _dockerfile[app.From!];
        Assert.Equal("build", publish.Base);
        var runs = publish.All("RUN").Select(r => r.Arguments).ToList();
        Assert.Contains(runs, r => r.StartsWith("dotnet restore src/Hypersphere.Cli -r linux-x64", StringComparison.Ordinal) && r.Contains("-p:TorchFlavour=cuda", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.StartsWith("dotnet publish src/Hypersphere.Cli -c Release -r linux-x64", StringComparison.Ordinal) && r.Contains("-p:TorchFlavour=cuda", StringComparison.Ordinal));

        // No other stage asks for it: the default build and every other target never restore libtorch for CUDA.
        Assert.All(
            _dockerfile.Stages.Where(s => s.Name != publish.Name),
            s => Assert.DoesNotContain(s.Instructions, i => i.Arguments.Contains("TorchFlavour", StringComparison.Ordinal)));
        Assert.Equal("gpu", _dockerfile.Default.Name);

        // The .NET runtime comes from the image the CPU trainer runs on, and the entry point is the same CLI.
        var runtime = Assert.Single(stage.Copies(), c => c.Destination == "/usr/share/dotnet");
        Assert.Equal(_dockerfile["trainer"].Base, _dockerfile[runtime.From!].Base);
        Assert.Equal(_dockerfile["trainer"].All("ENTRYPOINT").Single().Arguments, stage.All("ENTRYPOINT").Single().Arguments);
    }

    [Fact]
    public void ServiceImagesCarryOnlyTheServicePublishOutputAndTheShippedModels()
    {
        foreach (var target in RuntimeTargets)
        {
            var copies = _dockerfile[target].Copies().ToList();

            Assert.All(copies, c => Assert.NotNull(c.From)); // nothing straight from the build context
            var app = Assert.Single(copies, c => c.Destination.TrimEnd('/') == "/app");
            Assert.StartsWith("publish-service", app.From!, StringComparison.Ordinal);
            Assert.Equal(["/out/service/"], app.Sources);
            var models = Assert.Single(copies, c => c.Destination.TrimEnd('/') == HypersphereOptionsSetup.ContainerModelsPath);
            Assert.Equal("shipped-models", models.From);
            Assert.All(copies.Where(c => c != app && c != models), c => Assert.Equal("/usr/share/dotnet", c.Destination));
            Assert.DoesNotContain(copies, c => c.From == "publish-trainer");
            Assert.Equal(HypersphereOptionsSetup.ContainerModelsPath, _dockerfile[target].Environment()["Hypersphere__ModelsPath"]);
        }

        Assert.Equal("cpu", _dockerfile["cpu"].Environment()["Hypersphere__ExecutionProvider"]);
    }

    [Fact]
    public void EveryImageRunsAsTheNumericNonRootUserTheChartExpects()
    {
        var chartUser = (double)Yaml.At(HelmChart.Load().DefaultValues(), "podSecurityContext.runAsUser")!;

        foreach (var target in new[] { "gpu", "cpu", "trainer", "trainer-gpu" })
        {
            var user = _dockerfile[target].All("USER").Last().Arguments;
            Assert.True(long.TryParse(user, out var uid) && uid > 0, $"{target}: USER {user} must be a numeric non-root id (Kubernetes checks runAsNonRoot on it)");
            Assert.Equal(chartUser, uid);
            Assert.Equal("USER", _dockerfile[target].Instructions.Last(i => i.Keyword is "USER" or "RUN" or "COPY").Keyword);
        }
    }

    [Fact]
    public void ServiceImagesInstallCurlForTheirHealthCheck()
    {
        foreach (var target in RuntimeTargets)
        {
            var stage = _dockerfile[target];
            var check = Assert.Single(stage.All("HEALTHCHECK")).Arguments;

            Assert.Contains("CMD curl -fsS", check, StringComparison.Ordinal);
            Assert.Contains("/healthz/live", check, StringComparison.Ordinal);
            Assert.Contains(stage.All("RUN"), r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal) && CurlPackage().IsMatch(r.Arguments));
        }
    }

    [Fact]
    public void ImagesThatDrawFiguresInstallAFont()
    {
        // The report's figures (the service's HTML report and plane, the trainer image's `hypersphere report`) measure
        // and draw text with a system font; the .NET base images have none, and Skia then draws no text at all.
        foreach (var target in new[] { "gpu", "cpu", "trainer", "trainer-gpu" })
        {
            Assert.Contains(
                _dockerfile[target].All("RUN"),
                r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal) && r.Arguments.Contains(" fonts-dejavu-core", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheRestoreLayerCopiesEveryProjectAndBuildFileItNeedsBeforeTheSources()
    {
        var build = _dockerfile["build"];
        var copied = build.Copies().SelectMany(c => c.Sources).ToHashSet(StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal) { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" };
        foreach (var import in XDocument.Load(Repository.PathOf("Directory.Build.targets")).Descendants("Import"))
        {
            needed.Add(((string)import.Attribute("Project")!).Replace("$(MSBuildThisFileDirectory)", string.Empty, StringComparison.Ordinal));
        }

        foreach (var project in ProjectClosure("src/Hypersphere.Service/Hypersphere.Service.csproj", "src/Hypersphere.Cli/Hypersphere.Cli.csproj"))
        {
            needed.Add(project);
        }

        Assert.Contains("src/Hypersphere.Training/TorchSharpGlibcxx.targets", needed);
        Assert.Empty(needed.Except(copied));
        Assert.DoesNotContain(build.Instructions, i => i.Keyword == "COPY" && i.Arguments.StartsWith("src/ ", StringComparison.Ordinal));
        foreach (var publish in new[] { "publish-service", "publish-trainer" })
        {
            var order = _dockerfile[publish].Instructions.Select(i => i.Keyword + " " + i.Arguments).ToList();
            var restore = order.FindIndex(i => i.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
            var sources = order.FindIndex(i => i.StartsWith("COPY src/ src/", StringComparison.Ordinal));
            Assert.True(restore >= 0 && sources > restore, $"{publish}: restore must come before the sources are copied");
        }
    }

    [Fact]
    public void TheServiceIsPublishedWithTheCommandTheTestsRun()
    {
        var run = Assert.Single(_dockerfile["publish-service"].All("RUN"), r => r.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));

        Assert.StartsWith(ServicePublish + " ", run.Arguments + " ", StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnoreKeepsWhatTheDockerfileCopiesAndLeavesOutBuildOutputTestsAndTheChart()
    {
        var ignore = DockerIgnore.Load();

        foreach (var copy in _dockerfile.Stages.SelectMany(s => s.Copies()).Where(c => c.From is null))
        {
            Assert.All(copy.Sources.Where(s => s != "."), s => Assert.True(ignore.Keeps(s.TrimEnd('/')), $"Dockerfile:{copy.Line}: .dockerignore leaves out {s}"));
        }

        Assert.True(ignore.Keeps("src/Hypersphere.Service/Program.cs"));
        Assert.True(ignore.Keeps("models/demo/1/model.onnx"));
        Assert.False(ignore.Keeps("src/Hypersphere.Service/bin/Release/net10.0/Hypersphere.Service.dll"));
        Assert.False(ignore.Keeps("src/Hypersphere.Training/obj/project.assets.json"));
        Assert.False(ignore.Keeps("tests/Hypersphere.Service.Tests/HealthAndModelsTests.cs"));
        Assert.False(ignore.Keeps("helm/hypersphere/values.yaml"));
        Assert.False(ignore.Keeps(".git/HEAD"));
    }

    // Every project file reachable from the given ones through ProjectReference, relative to the repository.
    private static HashSet<string> ProjectClosure(params string[] roots)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var project))
        {
            if (!found.Add(project))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(Repository.PathOf(project))!;
            foreach (var reference in XDocument.Load(Repository.PathOf(project)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(folder, ((string)reference.Attribute("Include")!).Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Repository.Root, full).Replace('\\', '/'));
            }
        }

        return found;
    }

    [GeneratedRegex(@"^nvidia/cuda:13\.\d+\.\d+-cudnn-runtime-ubuntu24\.04$")]
    private static partial Regex CudaImage();

    // libtorch 2.10 cu128 is built against CUDA 12.8 and cuDNN 9.
    [GeneratedRegex(@"^nvidia/cuda:12\.8\.\d+-cudnn-runtime-ubuntu24\.04$")]
    private static partial Regex CudaTrainerImage();

    [GeneratedRegex(@"\bcurl\b")]
    private static partial Regex CurlPackage();
}
