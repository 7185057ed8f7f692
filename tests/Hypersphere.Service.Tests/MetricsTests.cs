using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

[Collection(SharedService.Name)]
public sealed class MetricsTests(ServiceFixture service)
{
    private static readonly string[] Names =
    [
        "hypersphere_http_requests_total", "hypersphere_http_request_duration_seconds_bucket", "hypersphere_queue_depth",
        "hypersphere_batch_size_bucket", "hypersphere_inference_duration_seconds_bucket", "hypersphere_models_loaded",
        "hypersphere_execution_provider", "hypersphere_rejected_total", "hypersphere_timeouts_total", "process_cpu_seconds_total",
    ];

    [SkippableFact]
    public async Task MetricsCountRequestsByRouteTemplateAndShowTheModelsAndTheirProviderAsReadinessDoes()
    {
        service.Require();
        var client = service.Client;
        await Http.OkJson(await client.PostAsync("/v1/embeddings", Http.Json(new { input = Enumerable.Repeat(0.5f, ToyModels.ImageSize).ToArray() })));
        await client.GetAsync("/v1/models");
        await client.GetAsync("/no/such/route/12345");
        var ready = await Http.OkJson(await client.GetAsync("/healthz/ready"));

        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.All(Names, name => Assert.Contains(name, text, StringComparison.Ordinal));
        Assert.True(PrometheusText.Value(text, "hypersphere_http_requests_total{method=\"POST\",route=\"/v1/embeddings\",status=\"200\"}") >= 1);
        Assert.True(PrometheusText.Value(text, "hypersphere_http_requests_total{method=\"GET\",route=\"/v1/models\",status=\"200\"}") >= 1);
        Assert.True(PrometheusText.Value(text, "hypersphere_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}") >= 1);
        Assert.DoesNotContain("12345", text, StringComparison.Ordinal); // route templates, never raw paths
        Assert.True(PrometheusText.Value(text, "hypersphere_batch_size_count{model=\"toy@2\"}") >= 1);
        var models = ready["models"]!.AsArray();
        PrometheusText.AssertValue(text, "hypersphere_models_loaded", models.Count);
        foreach (var model in models)
        {
            PrometheusText.AssertValue(text, $"hypersphere_execution_provider{{model=\"{model!["id"]}\",provider=\"{model["provider"]}\"}}", 1);
        }
    }
}
