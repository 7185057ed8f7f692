using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Hypersphere.Service.Tests;

/// <summary>docs/architecture.md §2: the service's dependency graph (Core, Inference, Reports) never reaches TorchSharp (nor Training, which carries it).</summary>
public sealed class DependencyTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "libtorch", "Hypersphere.Training"];

    [Fact]
    public void NoAssemblyTheServiceReferencesReachesTorchSharp()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>([typeof(Program).Assembly]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                Assert.DoesNotContain(Forbidden, f => reference.Name!.StartsWith(f, StringComparison.OrdinalIgnoreCase));
                if (seen.Add(reference.Name!) && TryLoad(reference) is { } loaded)
                {
                    pending.Push(loaded);
                }
            }
        }

        Assert.Contains("Hypersphere.Inference", seen);
        Assert.Contains("Hypersphere.Core", seen);
        Assert.Contains("Hypersphere.Reports", seen);
    }

    [Fact]
    public void TheServicesDepsFileListsNoTorchSharpPackage()
    {
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hypersphere.Service.deps.json")))!;

        var libraries = deps["libraries"]!.AsObject().Select(l => l.Key).ToArray();

        Assert.Contains(libraries, l => l.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => Forbidden.Any(f => l.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void TheServiceProjectReferencesOnlyInferenceCoreAndReportsAndNoneReachesTraining()
    {
        var service = Path.Combine(Repository.Root, "src", "Hypersphere.Service", "Hypersphere.Service.csproj");

        var direct = ProjectReferences(service).Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal).ToArray();
        var all = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([service]);
        while (pending.TryPop(out var project))
        {
            foreach (var reference in ProjectReferences(project))
            {
                if (all.Add(Path.GetFileNameWithoutExtension(reference)))
                {
                    pending.Push(reference);
                }

                var packages = XDocument.Load(reference).Descendants("PackageReference").Select(p => (string?)p.Attribute("Include") ?? string.Empty);
                Assert.DoesNotContain(packages, p => Forbidden.Any(f => p.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
            }
        }

        Assert.Equal(["Hypersphere.Core", "Hypersphere.Inference", "Hypersphere.Reports"], direct);
        Assert.Equal(["Hypersphere.Core", "Hypersphere.Inference", "Hypersphere.Reports"], all.Order(StringComparer.Ordinal));
    }

    private static Assembly? TryLoad(AssemblyName name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null; // reference-only facades; their names were checked above
        }
    }

    private static IEnumerable<string> ProjectReferences(string project) => XDocument.Load(project)
        .Descendants("ProjectReference")
        .Select(r => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, ((string)r.Attribute("Include")!).Replace('\\', '/'))));
}
