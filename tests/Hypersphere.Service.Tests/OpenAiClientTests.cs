using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hypersphere.Inference;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>
/// The official OpenAI Node SDK (openai on npm, installed by <c>npm ci</c> in tests/Hypersphere.Service.Tests/openai-client)
/// as a real client of the app on a real Kestrel port: <c>client.mjs</c> lists the models, embeds a PNG with the SDK's
/// default encoding (it asks for base64 and decodes it) and with <c>encoding_format: "float"</c>, and makes two
/// requests the service refuses. It serves the shipped model when models/ holds one, else the toy model.
/// </summary>
public sealed class OpenAiClientTests : IClassFixture<ToyModels>, IDisposable
{
    private static readonly string ClientFolder = Repository.PathOf("tests", "Hypersphere.Service.Tests", "openai-client");

    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public OpenAiClientTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task TheOpenAiNodeSdkGetsUnitRowsTheSameBothEncodingsAndTheServicesOwnErrorMessages()
    {
        Skip.IfNot(NodeVersion() is not null, "node is not on PATH (apt-get install nodejs)");
        Skip.IfNot(Directory.Exists(Path.Combine(ClientFolder, "node_modules", "openai")), $"the openai package is not installed: run 'npm ci' in {ClientFolder}");
        var (root, model) = ModelToServe();
        var card = ModelFolder.Open(Path.Combine(root, model.Name, model.Latest)).Card;
        await using var factory = new ServiceFactory(root);
        factory.UseKestrelOnAFreePort();
        factory.StartServer();
        await factory.WaitForStartupLoadAsync();
        var address = factory.Services.ListeningAddress();
        var pixels = new byte[card.Input.Channels * card.Input.Height * card.Input.Width];
        new Random(7).NextBytes(pixels);
        var png = _temp.File("image.png");
        await File.WriteAllBytesAsync(png, TestImages.EncodePlanes(pixels, card.Input.Channels, card.Input.Width, card.Input.Height));
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        var image = Convert.ToBase64String(await File.ReadAllBytesAsync(png));
        var unknownModelDetail = await DetailOf(http, new { model = "nope", input = image });
        var textInputDetail = await DetailOf(http, new { model = model.Name, input = "hello" });

        var summary = RunClient(address, png, model.Name);

        Assert.Contains(model.Name, summary["models"]!.AsArray().Select(m => (string?)m));
        var byDefault = Rows(summary["default"]!);
        var asFloat = Rows(summary["float"]!);
        Assert.Equal("base64", (string?)summary["default"]!["sentEncoding"]);
        Assert.Equal("float", (string?)summary["float"]!["sentEncoding"]);
        Assert.True((bool)summary["default"]!["decoded"]!, "the SDK's default path did not decode the base64 rows into numbers");
        Assert.Equal([0, 1], summary["default"]!["indices"]!.AsArray().Select(i => (int)i!));
        Assert.Equal(2, byDefault.Length);
        Assert.Equal(2, asFloat.Length);
        Assert.Equal($"{model.Name}@{model.Latest}", (string?)summary["default"]!["model"]);
        foreach (var row in byDefault.Concat(asFloat))
        {
            Assert.Equal(card.EmbeddingDim, row.Length);
            Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-5);
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(asFloat[i], byDefault[i]); // float32 both ways: base64 bytes and shortest round-trip decimals
        }

        Assert.Equal(byDefault[0], byDefault[1]); // the same PNG, as bare base64 and as a data URL
        AssertRefusal(summary["unknownModel"]!, 404, unknownModelDetail, "nope");
        AssertRefusal(summary["textInput"]!, 400, textInputDetail, "embed images, not text");
        Assert.Contains($"model {model.Name}", textInputDetail, StringComparison.Ordinal); // and says what this model takes: "takes images of C×H×W"
        Assert.Contains("takes images of", textInputDetail, StringComparison.Ordinal);
    }

    // What an application sees: an APIError with the status, and a message that carries the service's detail,
    // not only the error code ("404 \"not_found\"").
    private static void AssertRefusal(JsonNode refusal, int status, string detail, string fragment)
    {
        Assert.True((bool)refusal["thrown"]!, $"the SDK did not throw: {refusal.ToJsonString()}");
        Assert.True((bool)refusal["isApiError"]!, $"not an APIError: {refusal.ToJsonString()}");
        Assert.Equal(status, (int?)refusal["status"]);
        var message = (string)refusal["message"]!;
        Assert.True(message.Contains(detail, StringComparison.Ordinal), $"the SDK's message '{message}' does not carry the service's detail '{detail}'");
        Assert.Contains(fragment, message, StringComparison.Ordinal);
    }

    private static async Task<string> DetailOf(HttpClient http, object body)
    {
        using var response = await http.PostAsync("/v1/embeddings", Http.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode >= 400, $"expected a refusal, got {(int)response.StatusCode}: {text}");
        return (string)JsonNode.Parse(text)!["detail"]!;
    }

    private static float[][] Rows(JsonNode part) =>
        part["rows"]!.AsArray().Select(row => row!.AsArray().Select(v => (float)(double)v!).ToArray()).ToArray();

    private static JsonNode RunClient(string address, string png, string model)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = ClientFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "client.mjs", address, png, model })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail("node client.mjs did not finish within 120 s");
        }

        Assert.True(node.ExitCode == 0, $"node client.mjs exited {node.ExitCode}: {stderr.Result}");
        try
        {
            return JsonNode.Parse(stdout.Result)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"client.mjs printed no JSON ({e.Message}): {stdout.Result}\n{stderr.Result}", e);
        }
    }

    private static string? NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var version = node.StandardOutput.ReadToEnd().Trim();
            return node.WaitForExit(TimeSpan.FromSeconds(30)) && node.ExitCode == 0 ? version : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private (string Root, ModelVersions Model) ModelToServe()
    {
        var shipped = Repository.PathOf("models");
        if (Directory.Exists(shipped) && new ModelRepository(shipped).Scan() is [var first, ..])
        {
            return (shipped, first);
        }

        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        return (root, new ModelRepository(root).Scan().Single());
    }
}
