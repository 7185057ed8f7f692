using System.Text;
using Hypersphere.Service.Tests.Hostile;
using Hypersphere.Service.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests;

/// <summary>
/// The refusal a full service answers (429) keeps the error contract too: a problem document with Retry-After,
/// on a real Kestrel port in Production, with one permit (Hypersphere:MaxConcurrentRequests = 1, no waiting) held by a slow model.
/// </summary>
public sealed class HostileOverloadTests(ToyModels toys) : IClassFixture<ToyModels>
{
    private static readonly string Floats64 = "[" + string.Join(",", Enumerable.Range(0, 64).Select(i => (0.01 * i).ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    [SkippableFact]
    public async Task AnOverloadedServiceAnswers429WithRetryAfterAndAProblemDocument()
    {
        toys.Require();
        using var temp = new TempFolder();
        toys.WriteVersion(temp.Folder("models"), "toy", "1", seed: 1);
        using var gate = new GatedRunner();
        await using var factory = new ProductionKestrelFactory(temp.File("models"), new Dictionary<string, string?>(HostileServer.Settings()) { ["Hypersphere:MaxConcurrentRequests"] = "1", ["Hypersphere:MaxWaitingRequests"] = "0" }, gate.Install);
        factory.StartServer();
        var address = new Uri(factory.Services.ListeningAddress());
        var body = Utf8($$"""{"input": {{Floats64}}}""");
        byte[] Post() => RawHttp.Request("POST", "/v1/embeddings", [("Content-Type", "application/json"), ("Authorization", "Bearer " + HostileServer.ApiKey)], body);
        await WaitUntilReady(address);

        var held = RawHttp.SendAsync(address, Post(), TimeSpan.FromSeconds(60));
        Assert.True(await gate.WaitForRunAsync(), "the first request never reached the model");
        var refused = await RawHttp.SendAsync(address, Post(), TimeSpan.FromSeconds(30));
        gate.Open();

        Assert.NotNull(refused);
        Assert.True(refused.Status == 429, $"expected 429, got {refused.Status}: {refused.Text}");
        Assert.True(int.TryParse(refused.Header("retry-after"), out var seconds) && seconds >= 1, $"Retry-After: {refused.Header("retry-after") ?? "(none)"}");
        var violations = ErrorContract.Violations(refused, bodyExpected: true, framingRefusedByKestrel: false, headersChecked: false);
        Assert.True(violations.Count == 0, string.Join("; ", violations) + ": " + refused.Text);
        Assert.Equal(200, (await held)?.Status);
    }

    private static async Task WaitUntilReady(Uri address)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            if ((await RawHttp.SendAsync(address, RawHttp.Request("GET", "/healthz/ready", [], null), TimeSpan.FromSeconds(10)))?.Status == 200)
            {
                return;
            }
        }

        Assert.Fail("the service was not ready within 60 s");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
