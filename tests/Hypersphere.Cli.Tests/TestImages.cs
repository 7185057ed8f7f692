using Hypersphere.Inference.Formats;

namespace Hypersphere.Cli.Tests;

/// <summary>Real images for commands that embed: Debian's Fashion-MNIST test set.</summary>
internal static class TestImages
{
    /// <summary>The first <paramref name="count"/> test images as a uint8 (N, 28, 28) .npy in <paramref name="folder"/>.</summary>
    public static string FirstFashionMnist(TempFolder folder, int count)
    {
        var idx = IdxFormat.ReadImages("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        var path = folder.File("images.npy");
        var bytes = idx.Pixels.AsSpan(0, count * idx.Rows * idx.Columns).ToArray();
        File.WriteAllBytes(path, NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': ({count}, {idx.Rows}, {idx.Columns}), }}", bytes));
        return path;
    }
}
