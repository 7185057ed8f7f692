using System.Text.Json;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// <c>-p:TorchFlavour=cuda</c> swaps the trainer's libtorch for the CUDA 12.8 build, and nothing else asks for it. The
/// project is only evaluated (<c>dotnet msbuild -getItem</c>), never restored, so the CUDA package is not downloaded.
/// </summary>
public sealed class TorchFlavourTests
{
    private const string Training = "src/Hypersphere.Training/Hypersphere.Training.csproj";
    private const string CpuPackage = "libtorch-cpu-linux-x64";
    private const string CudaPackage = "libtorch-cuda-12.8-linux-x64";

    [Fact]
    public void TheDefaultBuildReferencesLibtorchForTheCpuOnly()
    {
        var packages = PackageReferences();

        Assert.Contains(CpuPackage, packages);
        Assert.DoesNotContain(packages, p => p.StartsWith("libtorch-cuda", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("TorchSharp", packages);
    }

    [Fact]
    public void TheCudaFlavourSwapsItForLibtorchCuda128AtTheVersionOfTheCpuBuild()
    {
        var packages = PackageReferences("-p:TorchFlavour=cuda");

        Assert.Contains(CudaPackage, packages);
        Assert.DoesNotContain(CpuPackage, packages);
        Assert.Contains("TorchSharp", packages);

        // Both are LibTorch builds for the same TorchSharp, so they carry one version (central package management).
        var versions = PackageVersions();
        Assert.Equal(versions[CpuPackage], versions[CudaPackage]);
    }

    [Fact]
    public void AnUnknownFlavourStopsTheBuildNamingTheProperty()
    {
        var result = Msbuild(Training, "-p:TorchFlavour=rocm", "-t:CheckTorchFlavour");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("TorchFlavour must be cpu or cuda", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void NoProjectButTheTrainingOneNamesALibtorchPackage()
    {
        // The swap must be the only way libtorch reaches a build: a second reference would bring the CPU one back.
        var projects = Directory.EnumerateFiles(Repository.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal));

        var naming = projects.Where(p => File.ReadAllText(p).Contains("<PackageReference Include=\"libtorch", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'));

        Assert.Equal([Training], naming);
    }

    private static List<string> PackageReferences(params string[] properties)
    {
        var result = Msbuild(Training, [.. properties, "-getItem:PackageReference"]);
        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..]);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!).ToList();
    }

    private static Dictionary<string, string> PackageVersions() =>
        System.Xml.Linq.XDocument.Load(Repository.PathOf("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(v => (string)v.Attribute("Include")!, v => (string)v.Attribute("Version")!, StringComparer.Ordinal);

    private static Processes.Result Msbuild(string project, params string[] arguments) =>
        Processes.Run("dotnet", ["msbuild", project, "-nologo", .. arguments], Repository.Root, TimeSpan.FromMinutes(2));
}
