using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al. 2017): 28×28 grayscale, 10 classes, 60000 training and 10000 test
/// images in IDX files, plain or gzipped. Debian ships it in the package <c>dataset-fashion-mnist</c>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDataDir = "/usr/share/datasets/fashion-mnist";

    /// <summary>Name used in the catalog and in data set names.</summary>
    public const string Name = "fashion-mnist";

    /// <summary>Image channels (grayscale).</summary>
    public const int Channels = 1;

    /// <summary>Image height.</summary>
    public const int Height = 28;

    /// <summary>Image width.</summary>
    public const int Width = 28;

    /// <summary>The splits: <c>train</c> and <c>test</c>.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "test"];

    /// <summary>Names of the class ids 0..9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads a split from <paramref name="dataDir"/>, which holds <c>train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>,
    /// each optionally with the suffix <c>.gz</c>.
    /// </summary>
    public static ImageDataset Load(string dataDir, string split)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        DataFiles.RequireSplit(Name, split, Splits);
        DataFiles.RequireDirectory(
            dataDir,
            "Fashion-MNIST data",
            $"install Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), which puts the files in {DefaultDataDir}, or pass --data-dir with the folder that holds them");

        var prefix = split == "train" ? "train" : "t10k";
        var images = FindFile(dataDir, $"{prefix}-images-idx3-ubyte");
        var labels = FindFile(dataDir, $"{prefix}-labels-idx1-ubyte");
        return IdxFile.Load($"{Name}/{split}", images, labels, ClassNames);
    }

    private static string FindFile(string dir, string file)
    {
        foreach (var candidate in new[] { file, file + ".gz" })
        {
            var path = Path.Combine(dir, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new HypersphereException(
            ErrorKind.NotFound,
            $"Fashion-MNIST file {file} (or {file}.gz) is missing from '{dir}'; reinstall dataset-fashion-mnist (apt-get install --reinstall dataset-fashion-mnist) or pass --data-dir with a complete folder");
    }
}
