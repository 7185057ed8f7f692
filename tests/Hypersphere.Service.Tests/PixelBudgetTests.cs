using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>One request decodes at most Hypersphere:MaxRequestPixels, counted from the images' headers before decoding.</summary>
public sealed class PixelBudgetTests : IClassFixture<ToyModels>, IDisposable
{
    private readonly ToyModels _toys;
    private readonly TempFolder _temp = new();

    public PixelBudgetTests(ToyModels toys) => _toys = toys;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task ImagesOverTheRequestsPixelBudgetAre413NamingTheSettingAndTheImage()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:MaxRequestPixels"] = "25000" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        var image = Convert.ToBase64String(PngWriter.Gray(new byte[100 * 100], 100, 100)); // 10,000 pixels each

        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = new[] { image, image } })));
        var refused = await client.PostAsync("/v1/embeddings", Http.Json(new { input = new[] { image, image, image } }));
        await Http.Problem(refused, 413, "input[2] is 100×100 = 10000 pixels", "at most 25000 pixels in all (Hypersphere:MaxRequestPixels)", "20000 are decoded already");

        // The budget is the request's, over input and positives together.
        var quality = await client.PostAsync("/v1/quality", Http.Json(new { input = new[] { image, image }, positives = new[] { image, image } }));
        await Http.Problem(quality, 413, "positives[0]", "Hypersphere:MaxRequestPixels");
    }

    [SkippableFact]
    public async Task HeadersDeclaringHugeImagesAreRefusedWithoutDecodingThem()
    {
        _toys.Require();
        var root = _temp.Folder("models");
        _toys.WriteVersion(root, "toy", "1", seed: 1);
        await using var factory = new ServiceFactory(root, new Dictionary<string, string?> { ["Hypersphere:MaxRequestPixels"] = "1000000", ["Hypersphere:MaxImagePixels"] = "900000" });
        using var client = factory.CreateClient();
        await factory.WaitForStartupLoadAsync();
        // Headers only: no pixel data follows, so only the header can have been read to refuse them (decoding
        // one would answer 400, an incomplete image).
        var big = Convert.ToBase64String(PngWriter.HeaderOnly(1000, 1000));
        var real = Convert.ToBase64String(PngWriter.Gray(new byte[600 * 1000], 600, 1000));
        var headerOnly = Convert.ToBase64String(PngWriter.HeaderOnly(600, 1000));

        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = big })), 413, "at most 900000 pixels, but was 1000×1000");
        await Http.Problem(await client.PostAsync("/v1/embeddings", Http.Json(new { input = new[] { real, headerOnly } })), 413, "input[1]", "Hypersphere:MaxRequestPixels");
    }
}
