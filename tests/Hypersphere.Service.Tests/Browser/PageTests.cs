using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.IO;
using Hypersphere.Core.Quality;
using Hypersphere.Reports;
using Hypersphere.Service.Tests.Support;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace Hypersphere.Service.Tests.Browser;

/// <summary>
/// The page at <c>/</c> as a person uses it, in a real browser (<see cref="Chromium"/>) against a real Kestrel with the
/// shipped models (<see cref="PageServer"/>): the numbers it shows are the JSON API's for the same files (and those
/// are the paper's formulas computed here in plain loops), its figures are drawn, nothing leaves the origin, the
/// console stays clean, user text stays text, and API keys work as a person would type them.
/// </summary>
[Trait("Category", "Browser")]
public sealed class PageTests(PageServer server, ITestOutputHelper output) : IClassFixture<PageServer>
{
    private Chromium Browser => server.Browser;

    private OpenQA.Selenium.Chrome.ChromeDriver Driver => server.Browser.Driver;

    private string Origin => server.Address.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task AnAuditOfFashionMnistEmbeddingsShowsTheJsonApisNumbersAndItsFigures()
    {
        var clock = Stopwatch.StartNew();
        OpenPage();

        Upload("npy-embeddings", server.EmbeddingsFile);
        Upload("npy-positives", server.PositivesFile);
        Upload("npy-labels", server.LabelsFile);
        Driver.FindElement(By.Id("npy-submit")).Click();
        WaitForReport();
        var screenshot = Browser.Screenshot("audit-fashion-mnist");
        output.WriteLine($"screenshot: {screenshot}");

        var expected = await Http.OkJson(await server.Client.PostAsync("/v1/quality", Form(
            ("embeddings", server.EmbeddingsFile), ("positives", server.PositivesFile), ("labels", server.LabelsFile))));
        var shown = InReport(() => Metrics());
        AssertMetricsEqual(expected, shown);
        Assert.Equal(PageServer.Images, (int)expected["n"]!);
        Assert.NotNull(expected["knn_accuracy"]);

        // The JSON numbers themselves against the paper's formulas, computed here from the uploaded floats.
        var alignment = PaperFormulas.Alignment(server.EmbeddingValues, server.PositiveValues, PageServer.Images, server.Dim);
        var uniformity = PaperFormulas.Uniformity(server.EmbeddingValues, PageServer.Images, server.Dim);
        Assert.Equal(alignment, (double)expected["alignment"]!, 1e-9);
        Assert.Equal(uniformity, (double)expected["uniformity"]!, 1e-9);

        var figures = InReport(() => Figures());
        Assert.Contains(ReportFigures.PlaneId, figures.Keys);
        Assert.Contains(ReportFigures.PositiveDistancesId, figures.Keys);
        Assert.True(figures.Count >= 4, "figures: " + string.Join(", ", figures.Keys));
        Assert.All(figures, f => Assert.True(f.Value > 0, $"figure {f.Key} has no <path> with a non-empty d"));
        Assert.Equal(0, InReport(() => Browser.Count("script")));
        Assert.Equal(1, Browser.Count("script")); // app.js

        AssertNothingLeftTheOrigin();
        Assert.Empty(Browser.ConsoleErrors());
        output.WriteLine($"audit of {PageServer.Images} × {server.Dim} in the browser: {clock.Elapsed.TotalSeconds:F1} s; figures: {string.Join(", ", figures.Keys)}");
    }

    [Fact]
    public async Task TheServedModelsTableAndTheirPlaneRender()
    {
        OpenPage();

        var rows = Driver.FindElements(By.CssSelector("#models-body tr")).Select(r => r.FindElements(By.TagName("td")).Select(c => c.Text).ToArray()).ToArray();
        var shipped = Directory.GetDirectories(Repository.PathOf("models")).SelectMany(Directory.GetDirectories).Where(d => File.Exists(Path.Combine(d, "model.json"))).ToArray();
        Assert.Equal(shipped.Length + 1, rows.Length);
        foreach (var folder in shipped)
        {
            // The card's numbers, read here from model.json.
            var card = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "model.json")))!;
            var id = $"{card["name"]}@{card["version"]}";
            var row = Assert.Single(rows, r => r[0] == id);
            var evaluation = card["evaluation"]!;
            Assert.Equal(((double)evaluation["alignment"]!).ToString("F4", CultureInfo.InvariantCulture), row[4]);
            Assert.Equal(((double)evaluation["uniformity"]!).ToString("F4", CultureInfo.InvariantCulture), row[5]);
            Assert.Equal((100 * (double)evaluation["linear_output"]!).ToString("F2", CultureInfo.InvariantCulture) + " %", row[6]);
            Assert.Equal((100 * (double)evaluation["knn5_output"]!).ToString("F2", CultureInfo.InvariantCulture) + " %", row[7]);
            Assert.Equal(((int)card["embedding_dim"]!).ToString(CultureInfo.InvariantCulture), row[2]);
            Assert.Equal((string?)card["training"]!["loss"], row[3]);
        }

        // Status and provider as /v1/models gives them.
        var models = await Http.OkJson(await server.Client.GetAsync("/v1/models"));
        foreach (var version in models["data"]!.AsArray().SelectMany(m => m!["versions"]!.AsArray()))
        {
            var row = Assert.Single(rows, r => r[0] == (string?)version!["id"]);
            Assert.StartsWith((string)version!["status"]!, row[1], StringComparison.Ordinal);
            Assert.Equal((string?)version["execution_provider"]?["name"] ?? "—", row[9]);
        }

        Assert.Contains(rows, r => r[9] == "CPUExecutionProvider");

        // The hostile model name is a cell's text, and nowhere an element.
        Assert.Contains(rows, r => r[0] == PageServer.HostileModel + "@1");
        Assert.Equal(1, Browser.Count("script"));

        var plane = Browser.Wait(d => d.FindElement(By.CssSelector("#plane svg")), "the plane of the served models");
        var paths = plane.FindElements(By.TagName("path")).Count(p => !string.IsNullOrWhiteSpace(p.GetDomAttribute("d")));
        Assert.True(paths > 0, "the plane has no <path> with a non-empty d");
        Assert.Contains("fmnist-align-uniform@2", plane.Text, StringComparison.Ordinal);
        Assert.Equal(shipped.Length + 1, Driver.FindElements(By.CssSelector("#image-model option")).Count);
        Assert.Equal("swagger", Driver.FindElement(By.Id("swagger-link")).GetDomAttribute("href"));
        AssertNothingLeftTheOrigin();
        Assert.Empty(Browser.ConsoleErrors());
    }

    [Fact]
    public async Task TheImageFormHasAServedModelEmbedAndAuditImages()
    {
        const int count = 12;
        var (pixels, labels) = PageServer.TestImages(count);
        var shifted = PageServer.ShiftRight(pixels);
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(server.EmbeddingsFile)!, "images")).FullName;
        var images = new List<string>();
        var positives = new List<string>();
        for (var i = 0; i < count; i++)
        {
            images.Add(Path.Combine(folder, $"image-{i:D2}.png"));
            positives.Add(Path.Combine(folder, $"shifted-{i:D2}.png"));
            await File.WriteAllBytesAsync(images[^1], PngWriter.Gray(pixels[(i * 784)..((i + 1) * 784)], 28, 28));
            await File.WriteAllBytesAsync(positives[^1], PngWriter.Gray(shifted[(i * 784)..((i + 1) * 784)], 28, 28));
        }

        var labelNames = labels.Select(l => PageServer.ClassNames[l]).ToArray();
        var labelFile = Path.Combine(folder, "labels.txt");
        await File.WriteAllTextAsync(labelFile, string.Join("\n", labelNames));
        OpenPage();

        var model = $"{PageServer.AuditModel}@{PageServer.AuditVersion}";
        Driver.FindElement(By.CssSelector($"#image-model option[value='{model}']")).Click();
        Upload("image-input", string.Join("\n", images));
        Upload("image-positives", string.Join("\n", positives));
        Upload("image-labels", labelFile);
        Driver.FindElement(By.Id("image-submit")).Click();
        WaitForReport();

        output.WriteLine($"screenshot: {Browser.Screenshot("audit-images")}");
        var body = new JsonObject
        {
            ["model"] = model,
            ["input"] = new JsonArray(images.Select(p => (JsonNode)("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(p)))).ToArray()),
            ["positives"] = new JsonArray(positives.Select(p => (JsonNode)("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(p)))).ToArray()),
            ["labels"] = new JsonArray(labelNames.Select(l => (JsonNode)l).ToArray()),
        };
        var expected = await Http.OkJson(await server.Client.PostAsync("/v1/quality", Http.Json(body.ToJsonString())));
        Assert.Equal(count, (int)expected["n"]!);
        Assert.NotNull(expected["alignment"]);
        AssertMetricsEqual(expected, InReport(() => Metrics()));
        var sources = InReport(() => Driver.FindElement(By.CssSelector(".hs-sources")).Text);
        Assert.Contains(model, sources, StringComparison.Ordinal);
        Assert.All(InReport(() => Figures()), f => Assert.True(f.Value > 0, $"figure {f.Key} has no <path> with a non-empty d"));
        AssertNothingLeftTheOrigin();
        Assert.Empty(Browser.ConsoleErrors());
    }

    [Fact]
    public async Task UserTextWithScriptTagsIsShownAsTextNeverAsElements()
    {
        // d = 2, so the report draws the features on the circle with one curve per label (the labels in the SVG's legend).
        const string label = "<script>alert('label')</script>", other = "<img src=x onerror=alert('img')>";
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(server.EmbeddingsFile)!, "hostile")).FullName;
        var file = Path.Combine(folder, "<script>alert('file')<script>.npy");
        var rows = Enumerable.Range(0, 60).SelectMany(i => new[] { Math.Cos(i * 0.3), Math.Sin(i * 0.3) }).ToArray();
        NpyFile.Write(file, rows, 60, 2);
        var labels = Path.Combine(folder, "labels.txt");
        await File.WriteAllTextAsync(labels, string.Join("\n", Enumerable.Range(0, 60).Select(i => i % 2 == 0 ? label : other)));
        OpenPage();

        Upload("npy-embeddings", file);
        Upload("npy-labels", labels);
        Driver.FindElement(By.Id("npy-submit")).Click();
        WaitForReport();

        output.WriteLine($"screenshot: {Browser.Screenshot("audit-hostile-text")}");
        var (scripts, imgs, text) = InReport(() => (Browser.Count("script"), Browser.Count("img"), Driver.FindElement(By.TagName("body")).Text));
        Assert.Equal(0, scripts);
        Assert.Equal(0, imgs);
        Assert.Contains("<script>alert('file')<script>.npy", text, StringComparison.Ordinal);
        var circle = InReport(() => Driver.FindElement(By.CssSelector($"figure[data-figure='{ReportFigures.CircleId}']")).Text);
        Assert.Contains("<script>", circle, StringComparison.Ordinal);
        Assert.Equal(1, Browser.Count("script"));
        Assert.Equal(0, Browser.Count("img"));
        Assert.Empty(Browser.ConsoleErrors()); // an alert would also have stopped the driver
    }

    [Fact]
    public async Task WithApiKeysThePageShowsTheUnauthorizedDetailAndWorksWithTheKey()
    {
        const string key = "page-test-key-0123456789";
        var (factory, address) = await server.StartAsync(new Dictionary<string, string?> { ["Hypersphere:ApiKeys:0"] = key });
        await using var _ = factory;
        using var http = new HttpClient { BaseAddress = address };
        var problem = await Http.Problem(await http.GetAsync("/v1/models"), 401);

        Browser.Open(address + "");
        var status = Browser.Wait(d => d.FindElement(By.Id("models-status")).Text is { Length: > 0 } t && t.StartsWith("401", StringComparison.Ordinal) ? t : null, "the 401 problem on the page");
        Assert.Contains((string)problem["detail"]!, status, StringComparison.Ordinal);
        Assert.Empty(Driver.FindElements(By.CssSelector("#models-body tr")));
        // The page itself needed no key; the browser logged the refused API call, and nothing else (which also shows
        // that the console log the other tests find empty does reach the test).
        var refused = Browser.ConsoleErrors();
        Assert.NotEmpty(refused);
        Assert.All(refused, e => Assert.Contains("401", e, StringComparison.Ordinal));

        Driver.FindElement(By.Id("api-key")).SendKeys(key);
        Driver.FindElement(By.Id("key-apply")).Click();
        Browser.Wait(d => d.FindElements(By.CssSelector("#models-body tr")).Count > 0, "the models table with the key");
        Upload("npy-embeddings", server.EmbeddingsFile);
        Driver.FindElement(By.Id("npy-submit")).Click();
        WaitForReport();
        Assert.Equal(PageServer.Images.ToString(CultureInfo.InvariantCulture), InReport(() => Metrics())["n"].Value);
        Browser.Wait(d => d.FindElements(By.CssSelector("#plane svg")).Count > 0, "the plane with the key");
        Assert.Empty(Browser.ConsoleErrors());
    }

    [Fact]
    public async Task TheLiveNumbersOfAModelAppearAfterItServedEmbeddingsAndAnIdleOneIsCollecting()
    {
        const int Window = 100;
        var (factory, address) = await server.StartAsync(new Dictionary<string, string?>
        {
            ["Hypersphere:LiveQualityWindow"] = $"{Window}",
            ["Hypersphere:LiveQualityIntervalSeconds"] = "1",
        });
        await using var _ = factory;
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };
        var model = $"{PageServer.AuditModel}@{PageServer.AuditVersion}";
        var rows = await LiveQualityTests.EmbedNpy(http, model, PageServer.TestImages(Window).Pixels, Window);
        var live = await LiveQualityTests.WaitForReport(http, model, Window);
        var uniformity = PaperFormulas.Uniformity(rows.SelectMany(r => r).ToArray(), Window, rows[0].Length);
        Browser.ConsoleErrors(); // drained: only this test's entries below

        Browser.Open(address + "");
        Browser.Wait(d => d.FindElements(By.CssSelector("#models-body tr")).Count > 0, "the models table");
        Driver.FindElement(By.Id("live-refresh")).Click();
        var cells = Browser.Wait(
            d => d.FindElements(By.CssSelector($"#live-body tr[data-model='{model}'] td")) is { Count: 9 } c ? c.Select(e => e.Text).ToArray() : null,
            "the live numbers of " + model)!;
        output.WriteLine($"screenshot: {Browser.Screenshot("live-quality")}");

        Assert.Equal(model, cells[0]);
        Assert.Equal($"{Window} / {Window}", cells[1]);
        Assert.Equal(uniformity.ToString("F4", CultureInfo.InvariantCulture), cells[2]);
        Assert.Equal(((double)live["uniformity_drift"]!).ToString("F4", CultureInfo.InvariantCulture), cells[3]);
        Assert.Equal("healthy", cells[7]);
        // A loaded version that served nothing: its window is still collecting, with the service's detail.
        var idle = Driver.FindElement(By.CssSelector("#live-body tr[data-model='fmnist-contrastive@2'] td.collecting")).Text;
        Assert.Contains("409", idle, StringComparison.Ordinal);
        Assert.Contains("served no embeddings", idle, StringComparison.Ordinal);
        // The browser logs each 409 as a failed load; nothing else may be there.
        Assert.All(Browser.ConsoleErrors(), e => Assert.Contains("409", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AProblemIsShownWithItsDetail()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(server.EmbeddingsFile)!, "bad")).FullName;
        var file = Path.Combine(folder, "not-unit.npy");
        NpyFile.Write(file, Enumerable.Range(0, 20).Select(i => 2.0 + i).ToArray(), 10, 2);
        var expected = await Http.Problem(await server.Client.PostAsync("/v1/quality", Form(("embeddings", file))), 422);
        OpenPage();

        Upload("npy-embeddings", file);
        Driver.FindElement(By.Id("npy-submit")).Click();

        var shown = Browser.Wait(d => d.FindElement(By.Id("audit-error")) is { Displayed: true } e ? e.Text : null, "the problem's detail");
        Assert.Contains((string)expected["detail"]!, shown, StringComparison.Ordinal);
        Assert.StartsWith("422", shown, StringComparison.Ordinal);
        Assert.False(Driver.FindElement(By.Id("report")).Displayed);
        var logged = Browser.ConsoleErrors();
        Assert.NotEmpty(logged);
        Assert.All(logged, e => Assert.Contains("422", e, StringComparison.Ordinal));
    }

    [Fact]
    public void TheReportFileWrittenByReportsRendersFromFileWithoutConsoleErrors()
    {
        var labels = File.ReadAllLines(server.LabelsFile);
        var x = EmbeddingMatrix.Create(server.EmbeddingValues, PageServer.Images, server.Dim, normalize: false);
        var y = EmbeddingMatrix.Create(server.PositiveValues, PageServer.Images, server.Dim, normalize: false);
        var report = QualityAnalyzer.Analyze(x, y, LabelSet.ToIds(labels));
        var folder = Path.Combine(Path.GetDirectoryName(server.EmbeddingsFile)!, "report");
        ReportWriter.Write(folder, AuditReport.Build(new AuditInput(x, y, labels, report, "Fashion-MNIST audit", ["fmnist-embeddings.npy"])));

        Browser.Open(new Uri(Path.Combine(folder, "report.html")).AbsoluteUri);

        Browser.Wait(d => d.FindElements(By.CssSelector("article.hs-report")).Count == 1, "the report from file://");
        var figures = Figures();
        Assert.True(figures.Count >= 4, "figures: " + string.Join(", ", figures.Keys));
        Assert.All(figures, f => Assert.True(f.Value > 0, $"figure {f.Key} has no <path> with a non-empty d"));
        Assert.Equal(report.Uniformity.ToString("R", CultureInfo.InvariantCulture), Metrics()["uniformity"].Value);
        Assert.Equal(0, Browser.Count("script"));
        Assert.Empty(Browser.ResourceUrls());
        Assert.Empty(Browser.ConsoleErrors());
        output.WriteLine($"screenshot: {Browser.Screenshot("report-file")}");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void OpenPage()
    {
        Browser.Open(Origin + "/");
        Browser.Wait(d => d.FindElements(By.CssSelector("#models-body tr")).Count > 0 && d.FindElements(By.CssSelector("#plane svg, #plane .error")).Count > 0, "the served models and their plane");
    }

    private void Upload(string input, string paths) => Driver.FindElement(By.Id(input)).SendKeys(paths);

    private void WaitForReport() => Browser.Wait(
        d =>
        {
            var error = d.FindElement(By.Id("audit-error"));
            Assert.False(error.Displayed, "the page shows a problem: " + error.Text);
            return (bool)((IJavaScriptExecutor)d).ExecuteScript(
                "const f = document.getElementById('report'); return !f.hidden && !!f.contentDocument && f.contentDocument.querySelectorAll('article.hs-report').length === 1 && document.getElementById('npy-submit').disabled === false && document.getElementById('image-submit').disabled === false;")!;
        },
        "the report in the page");

    /// <summary>Runs <paramref name="read"/> inside the report's frame.</summary>
    private T InReport<T>(Func<T> read)
    {
        Driver.SwitchTo().Frame(Driver.FindElement(By.Id("report")));
        try
        {
            return read();
        }
        finally
        {
            Driver.SwitchTo().DefaultContent();
        }
    }

    /// <summary>Every data-metric element of the current document: its exact value (data-value) and the text a person reads.</summary>
    private Dictionary<string, (string Value, string Text)> Metrics() =>
        Driver.FindElements(By.CssSelector("[data-metric]"))
            .GroupBy(e => e.GetDomAttribute("data-metric")!)
            .ToDictionary(g => g.Key, g => (g.First().GetDomAttribute("data-value")!, g.First().Text));

    /// <summary>Each figure's id and its number of &lt;path&gt; elements with a non-empty d.</summary>
    private Dictionary<string, int> Figures() =>
        Driver.FindElements(By.CssSelector("figure[data-figure]")).ToDictionary(
            f => f.GetDomAttribute("data-figure")!,
            f => f.FindElements(By.CssSelector("svg path")).Count(p => !string.IsNullOrWhiteSpace(p.GetDomAttribute("d"))));

    private static void AssertMetricsEqual(JsonNode expected, Dictionary<string, (string Value, string Text)> shown)
    {
        string[] numbers = ["n", "dim", "alpha", "t", "alignment", "uniformity", "uniformity_positives", "uniformity_mean", "reference.uniform_optimum", "reference.finite_n_bound", "rank_me", "mean_cosine", "std_sqrt_d", "knn_accuracy.k5", "knn_accuracy.k20_weighted"];
        foreach (var metric in numbers)
        {
            Assert.True(shown.ContainsKey(metric), $"the page shows no {metric}; it shows {string.Join(", ", shown.Keys)}");
            var json = metric.Split('.').Aggregate((JsonNode?)expected, (node, part) => node?[part]);
            var (value, text) = shown[metric];
            if (json is null)
            {
                Assert.True(value == "null" && text == "—", $"{metric}: the JSON has null, the page shows '{text}' ({value})");
                continue;
            }

            var number = (double)json;
            // The page's exact value against a second request's: Core's parallel pair sums may differ in the last bits between two runs.
            Assert.True(Math.Abs(double.Parse(value, CultureInfo.InvariantCulture) - number) <= 1e-12 * Math.Max(1, Math.Abs(number)), $"{metric}: the page's exact value {value} is not the JSON's {number:R}");
            var read = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(read - number) <= Math.Max(5.0001e-5, 5e-6 * Math.Abs(number)), $"{metric}: the page reads '{text}', but the JSON has {number:R}");
        }

        Assert.Equal((string?)expected["verdict"]!["status"], shown["verdict.status"].Value);
    }

    private void AssertNothingLeftTheOrigin()
    {
        var resources = Browser.ResourceUrls().Concat(InReport(() => Browser.ResourceUrls())).ToArray();
        Assert.NotEmpty(resources); // app.js, style.css and the API calls at least
        var foreign = resources.Where(u => !u.StartsWith(Origin + "/", StringComparison.Ordinal)).ToArray();
        Assert.True(foreign.Length == 0, "requests that left the origin: " + string.Join(", ", foreign));
    }

    private static MultipartFormDataContent Form(params (string Name, string Path)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, path) in files)
        {
            var part = new ByteArrayContent(File.ReadAllBytes(path));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, name, Path.GetFileName(path));
        }

        return form;
    }
}
