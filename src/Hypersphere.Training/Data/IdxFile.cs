using Hypersphere.Core.Errors;
using Hypersphere.Inference.Formats;

namespace Hypersphere.Training.Data;

/// <summary>
/// IDX files (the MNIST / Fashion-MNIST format) as training data sets. The format itself is parsed by
/// <see cref="IdxFormat"/> in Hypersphere.Inference, which <c>hypersphere embed</c> shares.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads an image file (magic 0x00000803).</summary>
    public static IdxImages ReadImages(string path) => IdxFormat.ReadImages(path);

    /// <summary>Reads a label file (magic 0x00000801).</summary>
    public static byte[] ReadLabels(string path) => IdxFormat.ReadLabels(path);

    /// <summary>
    /// Reads an image file and its label file as one grayscale data set; the counts must match and
    /// every label must name one of <paramref name="classNames"/>.
    /// </summary>
    public static ImageDataset Load(string name, string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Length)
        {
            throw new HypersphereException(
                ErrorKind.Corrupt,
                $"'{imagesPath}' holds {images.Count} images, but '{labelsPath}' holds {labels.Length} labels; the counts must match");
        }

        var ids = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Count)
            {
                throw new HypersphereException(
                    ErrorKind.Corrupt,
                    $"'{labelsPath}' has label {labels[i]} at index {i}, but labels must be 0..{classNames.Count - 1}");
            }

            ids[i] = labels[i];
        }

        return new ImageDataset(name, images.Pixels, ids, 1, images.Rows, images.Columns, classNames);
    }
}
