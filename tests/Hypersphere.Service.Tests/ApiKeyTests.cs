using System.Net;
using System.Net.Http.Headers;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>Optional bearer keys: one list for /v1, another for /admin; health, metrics and the API document stay open.</summary>
public sealed class ApiKeyTests : IClassFixture<ToyModels>, IDisposable
{
    private const string ApiKey = "api-key-0123456789", SecondApiKey = "api-key-second", AdminKey = "admin-key-9876543210";
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public ApiKeyTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task V1AnswersOnlyRequestsWithOneOfTheApiKeys()
    {
        await using var factory = Keyed();
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        var missing = await client.PostAsync("/v1/embeddings", Body());
        var problem = await Http.Problem(missing, 401, "send the header 'Authorization: Bearer <key>'", "Hypersphere:ApiKeys");
        Assert.Equal("unauthorized", (string?)problem["error"]!["code"]);
        Assert.Equal("Bearer realm=\"hypersphere\"", missing.Headers.WwwAuthenticate.ToString());

        var wrong = await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("Bearer", ApiKey + "x"));
        await Http.Problem(wrong, 401, "not one of Hypersphere:ApiKeys");
        Assert.Equal("Bearer realm=\"hypersphere\", error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.ToString());
        await Http.Problem(await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("Basic", ApiKey)), 401, "scheme 'Basic'");
        await Http.Problem(await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("Bearer", AdminKey)), 401, "not one of Hypersphere:ApiKeys");
        await Http.Problem(await client.GetAsync("/v1/models"), 401, "Hypersphere:ApiKeys");
        // The key is checked before the body is read: without one, a malformed body is still 401, not 400.
        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json("{not json")), 401, "Hypersphere:ApiKeys");

        await Http.OkJson(await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("Bearer", ApiKey)));
        await Http.OkJson(await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("bearer", SecondApiKey)));
        await Http.OkJson(await Send(client, HttpMethod.Get, "/v1/models", new AuthenticationHeaderValue("Bearer", ApiKey)));
    }

    [SkippableFact]
    public async Task AdminAnswersOnlyTheAdminKeyAndTheApiKeyDoesNotOpenIt()
    {
        await using var factory = Keyed();
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.Problem(await client.PostAsync("/admin/reload", null), 401, "/admin needs a key", "Hypersphere:AdminKeys");
        await Http.Problem(await Send(client, HttpMethod.Post, "/admin/reload", new AuthenticationHeaderValue("Bearer", ApiKey)), 401, "not one of Hypersphere:AdminKeys");

        await Http.OkJson(await Send(client, HttpMethod.Post, "/admin/reload", new AuthenticationHeaderValue("Bearer", AdminKey)));
    }

    [SkippableFact]
    public async Task HealthMetricsTheApiDocumentAndThePageStayOpenWhenKeysAreSet()
    {
        await using var factory = Keyed();
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        foreach (var path in new[] { "/healthz/live", "/healthz/ready", "/metrics", "/openapi/v1.json", "/swagger", "/", "/app.js", "/style.css" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode} without a key");
        }

        // What the page shows comes from /v1, which the key still guards.
        await Http.Problem(await client.GetAsync("/v1/models/plane"), 401, "Hypersphere:ApiKeys");
        await Http.Problem(await client.PostAsync("/v1/quality", new MultipartFormDataContent { { new ByteArrayContent([1]), "embeddings", "x.npy" } }), 401, "Hypersphere:ApiKeys");
        var plane = await Send(client, HttpMethod.Get, "/v1/models/plane", new AuthenticationHeaderValue("Bearer", ApiKey));
        Assert.Equal(HttpStatusCode.OK, plane.StatusCode);
    }

    [SkippableFact]
    public async Task KeysGivenAsOneCommaSeparatedValueAreEachAcceptedAndUnsetKeysLeaveRoutesOpen()
    {
        await using var factory = new ServiceFactory(Models(), new Dictionary<string, string?> { ["Hypersphere:ApiKeys"] = $"{ApiKey}, {SecondApiKey}" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();

        await Http.OkJson(await Send(client, HttpMethod.Post, "/v1/embeddings", new AuthenticationHeaderValue("Bearer", SecondApiKey)));
        await Http.Problem(await client.PostAsync("/v1/embeddings", Body()), 401, "Hypersphere:ApiKeys");
        await Http.OkJson(await client.PostAsync("/admin/reload", null)); // no admin keys: /admin is open
    }

    private ServiceFactory Keyed() => new(Models(), new Dictionary<string, string?>
    {
        ["Hypersphere:ApiKeys:0"] = ApiKey,
        ["Hypersphere:ApiKeys:1"] = SecondApiKey,
        ["Hypersphere:AdminKeys:0"] = AdminKey,
    });

    private string Models()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        return root;
    }

    private static StringContent Body() => Http.Json(new { input = Enumerable.Repeat(0.5f, ToyModels.ImageSize).ToArray() });

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, AuthenticationHeaderValue authorization)
    {
        var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post && path.StartsWith("/v1", StringComparison.Ordinal) ? Body() : null };
        request.Headers.Authorization = authorization;
        return client.SendAsync(request);
    }
}
