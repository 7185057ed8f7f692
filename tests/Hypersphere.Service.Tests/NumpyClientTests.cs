using System.Text.Json.Nodes;
using Hypersphere.Inference;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>
/// A Python client written as the README shows (numpy's <c>np.save</c> / <c>np.load</c>, urllib) against the real
/// app on a real Kestrel port with the shipped default model: NumPy writes the request and reads the answer, so
/// both ends of the .npy wire format are an implementation that is not ours. Its rows must equal the JSON answer
/// for the same images sent as base64 PNG.
/// </summary>
public sealed class NumpyClientTests : IDisposable
{
    private const string Client = """
        import base64, io, json, sys, urllib.request
        import numpy as np
        url, model, c, h, w = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        images = np.random.default_rng(0).integers(0, 256, size=(6, c, h, w), dtype=np.uint8)
        body = io.BytesIO()
        np.save(body, images)
        request = urllib.request.Request(url + "/v1/embeddings?model=" + model, data=body.getvalue(),
                                         headers={"Content-Type": "application/x-npy", "Accept": "application/x-npy"})
        with urllib.request.urlopen(request) as answer:
            served_by = answer.headers["X-Hypersphere-Model"]
            embeddings = np.load(io.BytesIO(answer.read()), allow_pickle=False)
        print(json.dumps({"model": served_by, "dtype": str(embeddings.dtype), "shape": list(embeddings.shape),
                          "rows": embeddings.astype(float).tolist(), "images": images.reshape(6, -1).tolist()}))
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ANumpyClientGetsTheRowsTheJsonFormGivesForTheSameImages()
    {
        var root = Path.Combine(Repository.Root, "models");
        Skip.IfNot(Directory.Exists(root) && new ModelRepository(root).Scan().Count > 0, "no shipped model under models/");
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:ExecutionProvider"] = "cpu" });
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        var address = factory.Services.ListeningAddress();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        var models = await Http.OkJson(await http.GetAsync("/v1/models"));
        var name = (string)models["default_model"]!;
        var card = ModelFolder.Open(Path.Combine(root, name.Split('@')[0], name.Split('@')[1])).Card;

        var client = JsonNode.Parse(NumpyProcess.Run(Client, address, name, $"{card.Input.Channels}", $"{card.Input.Height}", $"{card.Input.Width}"))!;

        Assert.Equal(name, (string?)client["model"]);
        Assert.Equal("float32", (string?)client["dtype"]);
        Assert.Equal([6, card.EmbeddingDim], client["shape"]!.AsArray().Select(v => (int)v!));
        var images = client["images"]!.AsArray().Select(row => row!.AsArray().Select(v => (byte)(int)v!).ToArray()).ToArray();
        var pngs = images.Select(pixels => Convert.ToBase64String(TestImages.EncodePlanes(pixels, card.Input.Channels, card.Input.Width, card.Input.Height))).ToArray();
        var json = await Http.OkJson(await http.PostAsync("/v1/embeddings", Http.Json(new { model = name, input = pngs })));
        var expected = json["data"]!.AsArray().Select(d => Http.Floats(d!["embedding"])).ToArray();
        var rows = client["rows"]!.AsArray().Select(r => r!.AsArray().Select(v => (float)(double)v!).ToArray()).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(expected[i], rows[i]);
            Assert.Equal(1.0, Math.Sqrt(rows[i].Sum(v => (double)v * v)), 1e-5);
        }

        Assert.NotEqual(rows[0], rows[1]);
    }
}
