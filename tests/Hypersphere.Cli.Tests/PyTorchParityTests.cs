using System.Globalization;
using System.Text.Json;

namespace Hypersphere.Cli.Tests;

/// <summary>
/// `hypersphere quality` against the paper's official PyTorch formulas, run by Debian's python3-torch
/// on the same files: an implementation that shares no code with ours.
/// </summary>
public class PyTorchParityTests
{
    private const string OfficialFormulas = """
        import json, sys
        import numpy as np, torch
        folder, alpha, t = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
        rng = np.random.default_rng(7)
        def unit(a): return a / np.linalg.norm(a, axis=1, keepdims=True)
        x = unit(rng.standard_normal((700, 48)))
        y = unit(x + 0.3 * rng.standard_normal(x.shape))
        np.save(folder + "/x64.npy", x); np.save(folder + "/y64.npy", y)
        np.save(folder + "/x32.npy", x.astype(np.float32)); np.save(folder + "/y32.npy", y.astype(np.float32))
        def align(x, y): return (x - y).norm(p=2, dim=1).pow(alpha).mean().item()
        def unif(x): return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log().item()
        out = {}
        for kind in ("64", "32"):
            tx = torch.from_numpy(np.load(folder + "/x" + kind + ".npy")).double()
            ty = torch.from_numpy(np.load(folder + "/y" + kind + ".npy")).double()
            out[kind] = {"alignment": align(tx, ty), "uniformity": unif(tx), "uniformity_positives": unif(ty)}
        print(json.dumps(out))
        """;

    [SkippableTheory]
    [InlineData(2.0, 2.0)]
    [InlineData(1.0, 3.0)]
    [InlineData(0.7, 0.5)]
    public void QualityAgreesWithOfficialPyTorchFormulasToOneInAMillion(double alpha, double t)
    {
        using var folder = new TempFolder();
        var expected = RunPython(folder.Path, alpha, t);
        foreach (var kind in new[] { "64", "32" })
        {
            var (code, stdout, stderr) = CliProcess.Run(
                "quality", "--embeddings", folder.File($"x{kind}.npy"), "--positives", folder.File($"y{kind}.npy"),
                "--alpha", alpha.ToString(CultureInfo.InvariantCulture), "--t", t.ToString(CultureInfo.InvariantCulture));
            Assert.True(code == 0, stderr);
            using var report = JsonDocument.Parse(stdout);
            var want = expected.RootElement.GetProperty(kind);
            foreach (var field in new[] { "alignment", "uniformity", "uniformity_positives" })
            {
                var ours = report.RootElement.GetProperty(field).GetDouble();
                var theirs = want.GetProperty(field).GetDouble();
                Assert.True(Math.Abs(ours - theirs) <= 1e-6, $"float{kind} {field}: ours {ours}, torch {theirs}");
            }
        }
    }

    private static JsonDocument RunPython(string folder, double alpha, double t)
    {
        var output = CliProcess.Python(
            OfficialFormulas, folder, alpha.ToString(CultureInfo.InvariantCulture), t.ToString(CultureInfo.InvariantCulture));
        if (output is null)
        {
            Assert.False(
                Environment.GetEnvironmentVariable("CI") == "true",
                "CI must have Debian's python3-torch and python3-numpy (.ci/install installs them)");
            Skip.If(true, "python3-torch or python3-numpy is not installed; `apt-get install python3-torch python3-numpy`");
        }

        return JsonDocument.Parse(output!);
    }
}
