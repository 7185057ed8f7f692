using Hypersphere.Deployment.Tests.Helm;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The Go-template subset the chart is checked with behaves as Helm does on the points that break charts:
/// float printing, type-strict comparison, trim markers, indentation helpers and scoping.
/// </summary>
public sealed class TemplateEngineTests
{
    private static string Render(string template, string values = "", string? chartDirectory = null)
    {
        var engine = new TemplateEngine();
        engine.Add("t", template);
        var root = GoValues.NewMap();
        root["Values"] = HelmYaml.LoadMap(values, helmNumbers: true);
        if (chartDirectory is not null)
        {
            root["Files"] = new ChartFiles(chartDirectory);
        }

        return engine.Execute("t", root);
    }

    [Fact]
    public void FilesGetReadsAChartFileVerbatimThroughDotDollarAndAPipeline()
    {
        using var chart = new TempFolder();
        chart.Folder("dashboards");
        File.WriteAllText(chart.File("dashboards", "d.json"), "{\n  \"legend\": \"{{model}}\"\n}");

        // Not executed as a template: Grafana's {{model}} survives, as with Helm.
        Assert.Equal("{\n  \"legend\": \"{{model}}\"\n}", Render("{{ .Files.Get \"dashboards/d.json\" }}", chartDirectory: chart.Path));
        Assert.Equal("x:\n  {\n    \"legend\": \"{{model}}\"\n  }", Render("x:{{ $.Files.Get \"dashboards/d.json\" | nindent 2 }}", chartDirectory: chart.Path));
        Assert.Equal("{\n  \"legend\": \"{{model}}\"\n}", Render("{{ $f := .Files }}{{ $f.Get \"dashboards/d.json\" }}", chartDirectory: chart.Path));
    }

    [Theory]
    [InlineData("{{ .Files.Get \"dashboards/none.json\" }}", "no such file")]
    [InlineData("{{ .Files.Get \"../outside.json\" }}", "no such file")]
    [InlineData("{{ .Files.Get \"templates/t.yaml\" }}", "out of .Files")]
    [InlineData("{{ .Files.Get \"values.yaml\" }}", "out of .Files")]
    [InlineData("{{ .Files.Glob \"dashboards/*\" }}", "not supported")]
    [InlineData("{{ .Files.Get }}", "one string argument")]
    public void FilesGetRefusesWhatHelmWouldRenderEmptyOrDoesNotOffer(string template, string message)
    {
        using var temp = new TempFolder();
        var chart = temp.Folder("chart");
        Directory.CreateDirectory(Path.Combine(chart, "templates"));
        File.WriteAllText(Path.Combine(chart, "templates", "t.yaml"), "a: 1");
        File.WriteAllText(Path.Combine(chart, "values.yaml"), "a: 1");
        File.WriteAllText(temp.File("outside.json"), "{}"); // there, but not in the chart

        var error = Assert.Throws<TemplateException>(() => Render(template, chartDirectory: chart));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("67108864", "6.7108864e+07")]
    [InlineData("1000000", "1e+06")]
    [InlineData("999999", "999999")]
    [InlineData("0.05", "0.05")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("8080", "8080")]
    [InlineData("-2.5", "-2.5")]
    public void NumbersFromValuesPrintAsGoFloat64s(string yaml, string printed)
    {
        Assert.Equal(printed, Render("{{ .Values.n }}", $"n: {yaml}"));
    }

    [Fact]
    public void ToYamlWritesWholeNumbersAsIntegersAndQuotesStringsThatLookLikeOtherTypes()
    {
        var text = Render("{{ toYaml .Values }}", "big: 67108864\nratio: 0.5\nword: \"true\"\ncount: \"10\"\nlist: [a, \"1\"]\nempty: {}");

        Assert.Equal("big: 67108864\ncount: \"10\"\nempty: {}\nlist:\n- a\n- \"1\"\nratio: 0.5\nword: \"true\"", text);
    }

    [Fact]
    public void ToYamlQuotesKeysThatYaml11ReadsAsBooleans()
    {
        Assert.Equal("\"y\": 2\nz: 1", Render("{{ toYaml .Values }}", "\"y\": 2\nz: 1"));
    }

    [Fact]
    public void ComparingAnIntLiteralWithANumberFromValuesFailsAsInHelm()
    {
        var error = Assert.Throws<TemplateException>(() => Render("{{ if gt .Values.replicas 1 }}x{{ end }}", "replicas: 2"));

        Assert.Contains("incompatible types", error.Message, StringComparison.Ordinal);
        Assert.Equal("x", Render("{{ if gt (int .Values.replicas) 1 }}x{{ end }}", "replicas: 2"));
    }

    [Fact]
    public void TrimMarkersRemoveWhitespaceIncludingNewlines()
    {
        Assert.Equal("a:\n  b", Render("a:\n  {{- \"\" }}\n  b"));
        Assert.Equal("ab", Render("a {{- /* note */ -}} \n b"));
    }

    [Fact]
    public void NindentIndentsEveryLineAfterANewline()
    {
        Assert.Equal("m:\n    a: 1\n    b: 2", Render("m:{{ toYaml .Values | nindent 4 }}", "a: 1\nb: 2"));
    }

    [Fact]
    public void RangeIteratesMapsInKeyOrderIncludesNamedTemplatesAndFallsBackToElse()
    {
        var engine = new TemplateEngine();
        engine.Add("helpers", "{{- define \"item\" -}}<{{ .k }}={{ .v }}>{{- end }}");
        engine.Add("t", "{{ range $k, $v := .Values.m }}{{ include \"item\" (dict \"k\" $k \"v\" $v) }}{{ else }}none{{ end }}|{{ range .Values.e }}x{{ else }}none{{ end }}");
        var root = GoValues.NewMap();
        root["Values"] = HelmYaml.LoadMap("m: {b: 2, a: 1}\ne: []", helmNumbers: true);

        Assert.Equal("<a=1><b=2>|none", engine.Execute("t", root));
    }

    [Fact]
    public void AVariableAssignedInsideABlockChangesTheOuterOne()
    {
        Assert.Equal("b", Render("{{- $x := \"a\" }}{{ if true }}{{ $x = \"b\" }}{{ end }}{{ $x }}"));
    }

    [Fact]
    public void AnUnknownFunctionIsRefusedNotIgnored()
    {
        var error = Assert.Throws<TemplateException>(() => Render("{{ add1 1 }}"));

        Assert.Contains("add1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingAValueThatValuesYamlLacksIsAnError()
    {
        var error = Assert.Throws<TemplateException>(() => Render("{{ .Values.gpu.enabeld }}", "gpu: {enabled: true}"));

        Assert.Contains("enabeld", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuoteUsesGoEscapingAndPrintsNumbersWithPercentV()
    {
        Assert.Equal("\"6.7108864e+07\" \"a\\\"b\"", Render("{{ quote .Values.n .Values.s }}", "n: 67108864\ns: 'a\"b'"));
    }

    [Fact]
    public void FailStopsRenderingWithItsMessageOnlyWhenReached()
    {
        var error = Assert.Throws<TemplateException>(() => Render("{{ if gt (int .Values.n) 1 }}{{ fail \"n must be 1\" }}{{ end }}", "n: 2"));

        Assert.Contains("n must be 1", error.Message, StringComparison.Ordinal);
        Assert.Equal("ok", Render("{{ if gt (int .Values.n) 1 }}{{ fail \"n must be 1\" }}{{ end }}ok", "n: 1"));
        Assert.Throws<TemplateException>(() => Render("{{ fail 1 }}"));
    }
}
