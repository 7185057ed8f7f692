using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

/// <summary><c>compare</c> on two shipped models' embeddings of the same real Fashion-MNIST test images.</summary>
public sealed class CompareCommandTests
{
    private const int Images = 300;

    [Fact]
    public void TwoModelsOfOneDataSetAgreeFarBeyondChanceAndAModelMatchesItself()
    {
        using var folder = new TempFolder();
        var input = TestImages.FirstFashionMnist(folder, Images);
        var a = Embed(folder, "a.npy", "fmnist-align-uniform", input);
        var b = Embed(folder, "b.npy", "fmnist-contrastive", input);

        // Itself: every measure is 1 by definition.
        var self = Compare(a, a);
        foreach (var measure in new[] { "linear_cka", "linear_cka_debiased", "rbf_cka", "mutual_knn" })
        {
            Assert.Equal(1, self.GetProperty(measure).GetDouble(), 1e-9);
        }

        // B's rows shuffled: the same two point clouds, but row i no longer the same input, so the unbiased
        // estimate falls to about 0 while the real pairing scores far above it.
        var matrix = NpyFile.ReadMatrix(b);
        var order = Enumerable.Range(0, Images).ToArray();
        new Random(1).Shuffle(order);
        var shuffled = order.SelectMany(i => matrix.Values.AsSpan(i * matrix.Cols, matrix.Cols).ToArray()).ToArray();
        NpyFile.Write(folder.File("shuffled.npy"), shuffled, Images, matrix.Cols);

        var paired = Compare(a, b);
        var unpaired = Compare(a, folder.File("shuffled.npy"));
        Assert.Equal(Images, paired.GetProperty("rows").GetInt32());
        Assert.InRange(paired.GetProperty("linear_cka_debiased").GetDouble(), 0.3, 0.999);
        Assert.InRange(unpaired.GetProperty("linear_cka_debiased").GetDouble(), -0.05, 0.05);
        Assert.True(paired.GetProperty("mutual_knn").GetDouble() > 5 * unpaired.GetProperty("mutual_knn").GetDouble());
        Assert.Equal(10, paired.GetProperty("k").GetInt32());
    }

    [Fact]
    public void DifferentRowCountsExitNonZeroWithOneExplainingLine()
    {
        using var folder = new TempFolder();
        NpyFile.Write(folder.File("a.npy"), new double[12], 4, 3);
        NpyFile.Write(folder.File("b.npy"), new double[15], 5, 3);
        var (code, stdout, stderr) = CliProcess.Run("compare", "--a", folder.File("a.npy"), "--b", folder.File("b.npy"));
        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("same inputs in the same order, but A has 4 rows and B 5", stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', stderr.Trim());
    }

    private static JsonElement Compare(string a, string b)
    {
        var (code, stdout, stderr) = CliProcess.Run("compare", "--a", a, "--b", b);
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static string Embed(TempFolder folder, string name, string model, string input)
    {
        var path = folder.File(name);
        var (code, _, stderr) = CliProcess.Run("embed", "--model", Repository.PathOf("models", model, "2"), "--input", input, "--out", path, "--provider", "cpu");
        Assert.True(code == 0, stderr);
        return path;
    }
}
