using System.Net.Http.Headers;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>
/// <c>/v1/quality</c> above the server's exact limit: sampled, with an interval that holds the exact value (computed here
/// from the paper's formula), said so in the warnings; an exact request above the limit and a sample above its cap are 413.
/// </summary>
public sealed class QualitySamplingTests : IDisposable
{
    private const int Rows = 2000, Dim = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AboveTheExactLimitUniformityIsSampledWithAnIntervalThatHoldsTheExactValue()
    {
        var x = UnitVectors.Rows(Rows, Dim, 5);
        var exact = PaperFormulas.Uniformity(x, Rows, Dim);
        await using var factory = new ServiceFactory(_temp.Folder("models"), new Dictionary<string, string?>
        {
            ["Hypersphere:QualityExactMaxPairs"] = "1000000", // below the 1 999 000 pairs of the input
            ["Hypersphere:QualityMaxSampledPairs"] = "500000",
        });
        using var http = factory.CreateClient();
        var rows = Enumerable.Range(0, Rows).Select(i => x.AsSpan(i * Dim, Dim).ToArray()).ToArray();

        var sampled = await Http.OkJson(await http.PostAsync("/v1/quality", Http.Json(new { embeddings = rows, seed = 3 })));
        Assert.Equal("sampled", (string?)sampled["estimator"]);
        var ci = sampled["uniformity_ci"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.InRange(exact, ci[0], ci[1]);
        Assert.InRange(ci[1] - ci[0], 0.001, 0.03); // the default ±0.005 aim
        Assert.Contains(sampled["warnings"]!.AsArray(), w => ((string)w!).Contains("more than the 1000000 computed exactly", StringComparison.Ordinal));

        // The same request as a form of .npy files, with a pair count: the same estimator, the pairs asked for.
        using var form = new MultipartFormDataContent();
        var npy = new ByteArrayContent(NpyBytes.File($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({Rows}, {Dim}), }}", NpyBytes.Float32(x)));
        npy.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(npy, "embeddings", "x.npy");
        form.Add(new StringContent("20000"), "sample_pairs");
        form.Add(new StringContent("3"), "seed");
        var asked = await Http.OkJson(await http.PostAsync("/v1/quality", form));
        Assert.Equal(20000, (long)asked["pairs"]!);
        Assert.Equal("sampled", (string?)asked["estimator"]);

        await Http.Problem(await http.PostAsync("/v1/quality", Http.Json(new { embeddings = rows, exact = true })), 413, "1999000 pairs", "at most 1000000");
        await Http.Problem(await http.PostAsync("/v1/quality", Http.Json(new { embeddings = rows, sample_pairs = 600000 })), 413, "at most 500000");
        await Http.Problem(await http.PostAsync("/v1/quality", Http.Json(new { embeddings = rows, sample_pairs = 10, exact = true })), 422, "exclude each other");
    }

    [Fact]
    public async Task BelowTheLimitTheReportIsExactOverEveryPair()
    {
        var x = UnitVectors.Rows(300, Dim, 6);
        await using var factory = new ServiceFactory(_temp.Folder("models"));
        using var http = factory.CreateClient();
        var rows = Enumerable.Range(0, 300).Select(i => x.AsSpan(i * Dim, Dim).ToArray()).ToArray();
        var report = await Http.OkJson(await http.PostAsync("/v1/quality", Http.Json(new { embeddings = rows })));
        Assert.Equal("exact", (string?)report["estimator"]);
        Assert.Equal(300L * 299 / 2, (long)report["pairs"]!);
        Assert.Null(report["uniformity_ci"]);
        Assert.Equal(PaperFormulas.Uniformity(x, 300, Dim), (double)report["uniformity"]!, 1e-6);
    }
}
