using System.Security.Cryptography;
using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>
/// A checked model folder (<c>models/&lt;name&gt;/&lt;version&gt;/</c>): its card has been read and validated,
/// and the ONNX file beside it exists with the size and SHA-256 the card records.
/// </summary>
/// <param name="Directory">The folder, as a full path.</param>
/// <param name="Card">The validated card.</param>
public sealed record ModelFolder(string Directory, ModelCard Card)
{
    /// <summary>Full path of the ONNX file the card names.</summary>
    public string OnnxPath => Path.Combine(Directory, Card.Onnx.File);

    /// <summary><c>name@version</c>, as responses and logs name the model.</summary>
    public string Id => $"{Card.Name}@{Card.Version}";

    /// <summary>
    /// Reads the card in <paramref name="directory"/> and checks the ONNX file against it: missing
    /// folder, card or file → <see cref="ErrorKind.NotFound"/>; bad card, size or hash → <see cref="ErrorKind.Corrupt"/>.
    /// </summary>
    public static ModelFolder Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new HypersphereException(ErrorKind.NotFound, $"model folder '{full}' does not exist; expected models/<name>/<version>/ with {ModelCard.FileName} and model.onnx");
        }

        var card = ModelCardFile.Read(Path.Combine(full, ModelCard.FileName));
        var folder = new ModelFolder(full, card);
        folder.VerifyOnnxFile();
        return folder;
    }

    private void VerifyOnnxFile()
    {
        var path = OnnxPath;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new HypersphereException(ErrorKind.NotFound, $"model file '{path}' does not exist, but the card {ModelCard.FileName} names it");
        }

        // The size of what the path leads to, read from the open file: FileInfo.Length of a symbolic link is the link's
        // own size, and Kubernetes mounts ConfigMaps, Secrets and many volumes through links.
        var name = Card.Onnx.File;
        string sha256;
        using (var stream = file.OpenRead())
        {
            if (stream.Length != Card.Onnx.Size)
            {
                throw new HypersphereException(ErrorKind.Corrupt, $"{name} in '{Directory}' is {stream.Length} bytes, but the card says {Card.Onnx.Size}");
            }

            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (sha256 != Card.Onnx.Sha256)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"{name} sha256 is {sha256}, but the card says {Card.Onnx.Sha256} (folder '{Directory}')");
        }
    }
}
