using System.Globalization;
using System.Reflection;
using System.Text;
using Hypersphere.Deployment.Tests.Helm;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Deployment.Tests;

/// <summary>
/// The chart's settings are the service's: the same names and defaults, and what the ConfigMap and Secret put in
/// the environment binds to <see cref="HypersphereOptions"/> and passes the service's own start-up validation.
/// </summary>
public sealed class ChartSettingsTests
{
    // Set by the chart from other values (models.mountPath, models.watch, metrics.port, auth), not from settings.
    private static readonly string[] NotInSettings =
        [nameof(HypersphereOptions.ModelsPath), nameof(HypersphereOptions.ModelWatch), nameof(HypersphereOptions.MetricsPort), nameof(HypersphereOptions.ApiKeys), nameof(HypersphereOptions.AdminKeys)];
    private readonly HelmChart _chart = HelmChart.Load();

    [Fact]
    public void EverySettingOfTheServiceIsInValuesAndNothingElseIs()
    {
        var settings = Settings().Keys.Order(StringComparer.Ordinal).ToArray();

        var options = OptionProperties().Select(p => p.Name).Where(n => !NotInSettings.Contains(n)).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(options, settings);
    }

    [Fact]
    public void ValuesGiveTheServicesOwnDefaults()
    {
        var defaults = new HypersphereOptions();

        foreach (var (key, value) in Settings())
        {
            var property = typeof(HypersphereOptions).GetProperty(key)!;
            var expected = property.GetValue(defaults);
            if (value is "")
            {
                Assert.True(expected is null or "" || key == nameof(HypersphereOptions.ExecutionProvider), $"settings.{key} is empty but the service's default is {expected}");
                continue;
            }

            var chartText = value is double number ? GoValues.FormatJsonNumber(number) : GoValues.Print(value);
            Assert.True(
                string.Equals(Convert.ToString(expected, CultureInfo.InvariantCulture), chartText, StringComparison.OrdinalIgnoreCase),
                $"settings.{key} is {chartText} but the service's default is {expected}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(Scenarios.Gpu)]
    [InlineData(Scenarios.Everything)]
    [InlineData("settings: {MaxBodyBytes: 268435456, MaxImagePixels: 100000000, RequestTimeoutMs: 120000, ModelPollSeconds: 30, DefaultModel: fashion-mnist@1}")]
    public void TheEnvironmentTheChartSetsBindsToTheServiceOptionsAndPassesValidation(string overrides)
    {
        var rendered = _chart.Render(overrides);
        var environment = Yaml.Map(rendered.One("ConfigMap", "configmap.yaml").Body, "data").ToDictionary(p => p.Key, p => Assert.IsType<string>(p.Value));
        foreach (var secret in rendered.OfKind("Secret"))
        {
            foreach (var (key, value) in Yaml.Map(secret.Body, "data"))
            {
                environment[key] = Encoding.UTF8.GetString(Convert.FromBase64String((string)value!));
            }
        }

        Assert.Equal(HypersphereOptionsSetup.ContainerModelsPath, environment["Hypersphere__ModelsPath"]);
        using var models = new TempFolder(); // /app/models exists only in the image
        environment["Hypersphere__ModelsPath"] = models.Path;

        var options = Bind(environment);

        foreach (var (key, text) in environment.Where(e => e.Key.StartsWith("Hypersphere__", StringComparison.Ordinal) && e.Key.Split("__").Length == 2))
        {
            var property = typeof(HypersphereOptions).GetProperty(key["Hypersphere__".Length..]);
            Assert.True(property is not null, $"{key} names no setting of the service");
            Assert.Equal(text, Convert.ToString(property!.GetValue(options), CultureInfo.InvariantCulture), ignoreCase: true);
        }

        var apiKeys = environment.Where(e => e.Key.StartsWith("Hypersphere__ApiKeys__", StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value);
        Assert.Equal(apiKeys, options.ApiKeys);
        Assert.Equal(environment.Keys.Count(k => k.StartsWith("Hypersphere__AdminKeys__", StringComparison.Ordinal)), options.AdminKeys.Count);
    }

    [Fact]
    public void ANumberPrintedTheWayHelmPrintsFloatsWouldStopTheService()
    {
        using var models = new TempFolder();

        var error = Assert.ThrowsAny<Exception>(() => Bind(new Dictionary<string, string> { ["Hypersphere__ModelsPath"] = models.Path, ["Hypersphere__MaxBodyBytes"] = "6.7108864e+07" }));

        Assert.Contains("MaxBodyBytes", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesWaitsLongerThanTheServicesGracefulShutdown()
    {
        var values = _chart.DefaultValues();

        var grace = (double)values["terminationGracePeriodSeconds"]!;
        var shutdown = (double)((IDictionary<string, object?>)values["settings"]!)["ShutdownTimeoutSeconds"]!;
        var preStop = (double)values["preStopSleepSeconds"]!;

        Assert.True(grace > shutdown + preStop, $"terminationGracePeriodSeconds {grace} must exceed ShutdownTimeoutSeconds {shutdown} + preStopSleepSeconds {preStop}");
    }

    private IDictionary<string, object?> Settings() => (IDictionary<string, object?>)_chart.DefaultValues()["settings"]!;

    private static IEnumerable<PropertyInfo> OptionProperties() =>
        typeof(HypersphereOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    // The service's own registration (binding, post-configuration, validation), fed with environment variables.
    private static HypersphereOptions Bind(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Environment());
        services.AddHypersphereOptions(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<HypersphereOptions>>().Value;
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "Hypersphere.Service";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
