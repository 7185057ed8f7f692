using Hypersphere.Core.Errors;
using Hypersphere.Inference;

namespace Hypersphere.Training.Data;

/// <summary>What a data set is: its natural image shape, its splits and where its files live by default.</summary>
/// <param name="Name">Catalog name (<c>fashion-mnist</c>, <c>cifar10</c>, <c>stl10</c>, <c>folder</c>).</param>
/// <param name="Channels">Natural channels (for <c>folder</c>, the default it is loaded at).</param>
/// <param name="Height">Natural height (for <c>folder</c>, the default).</param>
/// <param name="Width">Natural width (for <c>folder</c>, the default).</param>
/// <param name="Splits">The split names it knows.</param>
/// <param name="DefaultDataDir">The folder used when none is given, or null when one must be given.</param>
/// <param name="Files">What the data folder must hold, for help texts and error messages.</param>
public sealed record DatasetSpec(string Name, int Channels, int Height, int Width, IReadOnlyList<string> Splits, string? DefaultDataDir, string Files);

/// <summary>Finds a data set by name and loads a split of it at a requested image shape.</summary>
public static class DatasetCatalog
{
    /// <summary>The known data sets.</summary>
    public static IReadOnlyList<DatasetSpec> All { get; } =
    [
        new(FashionMnist.Name, FashionMnist.Channels, FashionMnist.Height, FashionMnist.Width, FashionMnist.Splits, FashionMnist.DefaultDataDir,
            "IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally .gz)"),
        new(Cifar10.Name, Cifar10.Channels, Cifar10.Height, Cifar10.Width, Cifar10.Splits, null,
            "the CIFAR-10 binary version: data_batch_1.bin … data_batch_5.bin, test_batch.bin, optionally batches.meta.txt"),
        new(Stl10.Name, Stl10.Channels, Stl10.Height, Stl10.Width, Stl10.Splits, null,
            "the STL-10 binary version: train_X.bin, train_y.bin, test_X.bin, test_y.bin, unlabeled_X.bin, optionally class_names.txt"),
        new(ImageFolder.Name, 3, 64, 64, ["train", "val", "test"], null,
            $"one subfolder of images per class ({string.Join(", ", ImageDecoder.Extensions.Select(e => e.TrimStart('.')))}); a split loads the root's subfolder of that name if it has one, and 'train' otherwise loads the root itself"),
    ];

    /// <summary>The known data set names.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    /// <summary>
    /// The data set called <paramref name="name"/> (case, '-' and '_' ignored, so <c>CIFAR-10</c> and
    /// <c>stl-10</c> work too); BadRequest listing the known names otherwise.
    /// </summary>
    public static DatasetSpec Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Normalise(name);
        return All.FirstOrDefault(s => Normalise(s.Name) == key || (key == "IMAGEFOLDER" && s.Name == ImageFolder.Name))
            ?? throw HypersphereException.Bad($"unknown data set '{name}'; known data sets are: {string.Join(", ", Names)}");
    }

    /// <summary>
    /// Loads <paramref name="split"/> of data set <paramref name="name"/> from <paramref name="dataDir"/> (null: the
    /// data set's default folder), at <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>
    /// (each null: the data set's natural value; for <c>folder</c> 3×64×64), keeping the first
    /// <paramref name="maxImages"/> images when given.
    /// </summary>
    public static ImageDataset Load(
        string name, string? dataDir, string split, int? channels = null, int? height = null, int? width = null, int? maxImages = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        var spec = Describe(name);
        int c = channels ?? spec.Channels, h = height ?? spec.Height, w = width ?? spec.Width;
        DataFiles.RequireShape(c, h, w);
        DataFiles.RequireLimit(maxImages);
        var dir = dataDir ?? spec.DefaultDataDir
            ?? throw HypersphereException.Bad($"data set '{spec.Name}' has no default folder; pass --data-dir with the folder that holds {spec.Files}");

        return spec.Name switch
        {
            FashionMnist.Name => Shape(FashionMnist.Load(dir, split), c, h, w, maxImages),
            Cifar10.Name => Shape(Cifar10.Load(dir, split), c, h, w, maxImages),
            Stl10.Name => ImageResampler.Convert(Stl10.Load(dir, split, h, w, maxImages), c, h, w),
            _ => Limit(ImageFolder.Load(FolderSplit(dir, split), c, h, w), maxImages),
        };
    }

    private static ImageDataset Shape(ImageDataset data, int channels, int height, int width, int? maxImages) =>
        ImageResampler.Convert(Limit(data, maxImages), channels, height, width);

    private static ImageDataset Limit(ImageDataset data, int? maxImages) => maxImages is { } max ? data.Take(max) : data;

    /// <summary>root/&lt;split&gt; when it exists; the root itself for 'train'; otherwise NotFound (never silently the training images).</summary>
    private static string FolderSplit(string root, string split)
    {
        var nested = Path.Combine(root, split);
        if (split.Length > 0 && split.IndexOfAny(['/', '\\']) < 0 && split is not ("." or "..") && Directory.Exists(nested))
        {
            return nested;
        }

        if (split == "train" || !Directory.Exists(root))
        {
            return root;
        }

        throw new HypersphereException(
            ErrorKind.NotFound,
            $"image folder '{root}' has no subfolder '{split}' for split '{split}'; lay it out as root/{split}/<class>/<image>, or load split 'train' to use the root itself");
    }

    private static string Normalise(string name) => name.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
