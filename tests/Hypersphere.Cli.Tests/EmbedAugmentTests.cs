using Hypersphere.Core.IO;

namespace Hypersphere.Cli.Tests;

/// <summary><c>embed --augment SEED</c> with a shipped model on real Fashion-MNIST test images: reproducible positive views.</summary>
public sealed class EmbedAugmentTests
{
    private const int Images = 300;

    [Fact]
    public void AugmentedViewsAreSeededIndependentOfTheBatchAndCloserToTheirImageThanOtherImagesAre()
    {
        using var folder = new TempFolder();
        var input = TestImages.FirstFashionMnist(folder, Images);
        var model = Repository.PathOf("models", "fmnist-align-uniform", "1");

        var clean = Embed(folder, "clean.npy", "--model", model, "--input", input);
        var view = Embed(folder, "view.npy", "--model", model, "--input", input, "--augment", "7");
        var again = Embed(folder, "again.npy", "--model", model, "--input", input, "--augment", "7", "--batch", "7");
        var other = Embed(folder, "other.npy", "--model", model, "--input", input, "--augment", "8");

        Assert.Equal(File.ReadAllBytes(view), File.ReadAllBytes(again)); // same seed, another batch size: same views
        Assert.NotEqual(File.ReadAllBytes(view), File.ReadAllBytes(other));
        var x = NpyFile.ReadMatrix(clean);
        var y = NpyFile.ReadMatrix(view);
        var z = NpyFile.ReadMatrix(other);
        Assert.Equal((Images, 128), (y.Rows, y.Cols));

        // A view of image i lies nearer to image i than the other images do on average, but is not image i itself.
        double positive = 0, random = 0;
        var differing = 0;
        for (var i = 0; i < Images; i++)
        {
            var d = SquaredDistance(x, i, y, i);
            positive += d;
            random += SquaredDistance(x, i, x, (i + 1) % Images);
            differing += d > 1e-6 && SquaredDistance(y, i, z, i) > 1e-6 ? 1 : 0;
        }

        Assert.True(positive < random / 2, $"mean ‖x − view‖² = {positive / Images}, mean ‖xᵢ − xⱼ‖² = {random / Images}");
        Assert.True(differing > Images * 0.9, $"only {differing} of {Images} views differ from the clean image and from the other seed's view");
    }

    private static double SquaredDistance(MatrixData a, int i, MatrixData b, int j)
    {
        var sum = 0.0;
        for (var k = 0; k < a.Cols; k++)
        {
            var d = a.Values[(i * a.Cols) + k] - b.Values[(j * b.Cols) + k];
            sum += d * d;
        }

        return sum;
    }

    private static string Embed(TempFolder folder, string name, params string[] args)
    {
        var path = folder.File(name);
        var (code, _, stderr) = CliProcess.Run(["embed", .. args, "--out", path, "--provider", "cpu"]);
        Assert.True(code == 0, stderr);
        return path;
    }
}
