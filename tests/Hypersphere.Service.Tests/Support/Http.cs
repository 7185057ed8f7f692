using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hypersphere.Service.Tests.Support;

/// <summary>Request and answer helpers.</summary>
public static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static async Task<JsonNode> OkJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts a problem document with <paramref name="status"/> whose detail contains every fragment; returns it.</summary>
    public static async Task<JsonNode> Problem(HttpResponseMessage response, int status, params string[] detailFragments)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        var detail = (string?)problem["detail"];
        Assert.False(string.IsNullOrWhiteSpace(detail), $"the problem has no detail: {text}");
        foreach (var fragment in detailFragments)
        {
            Assert.True(detail!.Contains(fragment, StringComparison.Ordinal), $"detail '{detail}' should contain '{fragment}'");
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // never a stack trace
        return problem;
    }

    public static float[] Floats(JsonNode? array) => array!.AsArray().Select(v => (float)v!).ToArray();
}

/// <summary>Reads Prometheus text.</summary>
public static class PrometheusText
{
    /// <summary>The value of the sample <paramref name="series"/> (name with labels, exactly as printed), or null if absent.</summary>
    public static double? Value(string text, string series)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(series.Length + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Asserts the sample's value; the message lists the metric's samples that are there.</summary>
    public static void AssertValue(string text, string series, double expected)
    {
        var name = series.Split('{')[0];
        var samples = string.Join("\n", text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)));
        Assert.True(Value(text, series) == expected, $"expected {series} {expected}; the samples are:\n{samples}");
    }
}
