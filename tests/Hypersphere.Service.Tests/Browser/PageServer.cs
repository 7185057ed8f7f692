using System.IO.Compression;
using System.Text;
using Hypersphere.Core.IO;
using Hypersphere.Inference;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests.Browser;

/// <summary>
/// The real app on a real Kestrel port with the shipped models (models/fmnist-*), plus one more model whose name
/// holds <c>&lt;script&gt;</c> (a copy of a shipped model under a hostile name), a headless Chromium, and the files a
/// NumPy user would upload: embeddings by the shipped model fmnist-align-uniform@2 (Inference's embedder) of the
/// first 500 Fashion-MNIST test images, the embeddings of a second view of each image (the image shifted one pixel
/// to the right, its first column black: the background), and the images' class names, one a line.
/// </summary>
public sealed class PageServer : IAsyncLifetime, IDisposable
{
    public const int Images = 500;
    public const string AuditModel = "fmnist-align-uniform", AuditVersion = "2";
    public const string HostileModel = "<script>alert('model')<script>";
    public const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly TempFolder _temp = new();
    private ServiceFactory? _factory;

    public Chromium Browser { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string ModelsRoot => Path.Combine(_temp.Path, "models");

    /// <summary>The upload files: embeddings and positives (float32 .npy, 500 × 128) and labels (text).</summary>
    public string EmbeddingsFile => Path.Combine(_temp.Path, "fmnist-embeddings.npy");

    public string PositivesFile => Path.Combine(_temp.Path, "fmnist-positives.npy");

    public string LabelsFile => Path.Combine(_temp.Path, "fmnist-labels.txt");

    public float[] EmbeddingValues { get; private set; } = [];

    public float[] PositiveValues { get; private set; } = [];

    public int Dim { get; private set; }

    /// <summary>The first <paramref name="count"/> test images (28 × 28 bytes each) and their class ids.</summary>
    public static (byte[] Pixels, byte[] Labels) TestImages(int count)
    {
        var images = Path.Combine(FashionMnist, "t10k-images-idx3-ubyte.gz");
        var labels = Path.Combine(FashionMnist, "t10k-labels-idx1-ubyte.gz");
        Assert.True(File.Exists(images) && File.Exists(labels), $"Fashion-MNIST is missing from {FashionMnist}: apt-get install -y dataset-fashion-mnist (.ci/install installs it)");
        return (Gunzip(images, 16, count * 784), Gunzip(labels, 8, count));
    }

    /// <summary>Each image shifted one pixel to the right; the new first column is black (Fashion-MNIST's background).</summary>
    public static byte[] ShiftRight(byte[] pixels)
    {
        var shifted = new byte[pixels.Length];
        for (var row = 0; row < pixels.Length / 28; row++)
        {
            Array.Copy(pixels, row * 28, shifted, (row * 28) + 1, 27);
        }

        return shifted;
    }

    /// <summary>Another app over the same models with <paramref name="settings"/> (API keys, say), on its own Kestrel port.</summary>
    public async Task<(ServiceFactory Factory, Uri Address)> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(settings) { ["Hypersphere:IntraOpThreads"] = "1" };
        var factory = new ServiceFactory(ModelsRoot, all);
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        return (factory, new Uri(factory.Services.ListeningAddress()));
    }

    public async Task InitializeAsync()
    {
        Browser = new Chromium(); // first: without the browser, fail at once with the command that installs it
        var shipped = Repository.PathOf("models");
        Assert.True(File.Exists(Path.Combine(shipped, AuditModel, AuditVersion, "model.onnx")), $"the shipped model {AuditModel}@{AuditVersion} is missing from models/");
        Directory.CreateDirectory(ModelsRoot);
        foreach (var model in Directory.GetDirectories(shipped))
        {
            Directory.CreateSymbolicLink(Path.Combine(ModelsRoot, Path.GetFileName(model)), model);
        }

        // The hostile name: a shipped model's ONNX file under a card whose name is the folder's (the service checks they agree).
        var hostile = Directory.CreateDirectory(Path.Combine(ModelsRoot, HostileModel, "1")).FullName;
        var source = Path.Combine(shipped, "fmnist-contrastive", "1");
        File.Copy(Path.Combine(source, "model.onnx"), Path.Combine(hostile, "model.onnx"));
        var card = ModelCardFile.Read(Path.Combine(source, ModelCard.FileName));
        ModelCardFile.Write(Path.Combine(hostile, ModelCard.FileName), card with { Name = HostileModel, Version = "1" });

        WriteUploadFiles();
        (_factory, Address) = await StartAsync(new Dictionary<string, string?>());
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(120) };
    }

    private void WriteUploadFiles()
    {
        var (pixels, labels) = TestImages(Images);
        using var encoder = OnnxEncoder.Open(Repository.PathOf("models", AuditModel, AuditVersion), new EncoderOptions(ExecutionProviderChoice.Cpu));
        var embedder = new Embedder(encoder);
        var preprocessor = new ImagePreprocessor(encoder.Card.Input);
        Embeddings Embed(byte[] images) => embedder.Embed(EmbeddingInputs.FromNpy(
            NpyBytes.File($"{{'descr': '|u1', 'fortran_order': False, 'shape': ({Images}, 28, 28), }}", images), "Fashion-MNIST test images", preprocessor));

        var x = Embed(pixels);
        var y = Embed(ShiftRight(pixels));
        EmbeddingValues = x.Values;
        PositiveValues = y.Values;
        Dim = x.Dim;
        x.WriteNpy(EmbeddingsFile);
        y.WriteNpy(PositivesFile);
        File.WriteAllText(LabelsFile, string.Join("\n", labels.Select(l => ClassNames[l])) + "\n", new UTF8Encoding(false));
    }

    private static byte[] Gunzip(string path, int skip, int count)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var buffer = new byte[skip + count];
        stream.ReadExactly(buffer);
        return buffer[skip..];
    }

    public async Task DisposeAsync()
    {
        Browser?.Dispose();
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    public void Dispose() => _temp.Dispose();
}
