using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hypersphere.Core.IO;
using Hypersphere.Service.Tests.Support;

namespace Hypersphere.Service.Tests;

/// <summary>
/// <c>/v1/quality/jobs</c>: a .npy streamed to disk, run in the background, read back; a job a killed service left
/// running runs again when the service starts; nothing is lost, bad input is refused at once, and the queue is bounded.
/// </summary>
public sealed class QualityJobsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AJobComputesTheUniformityOfTheUploadedFile()
    {
        const int Rows = 3000, Dim = 16;
        var x = UnitVectors.Rows(Rows, Dim, 2);
        await using var factory = Service(new());
        using var http = factory.CreateClient();

        var accepted = await http.PostAsync("/v1/quality/jobs?t=2", Npy(x, Rows, Dim));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!.ToString();
        var job = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        Assert.Equal($"/v1/quality/jobs/{(string?)job["id"]}", location);
        Assert.Equal(Rows, (int)job["rows"]!);

        var done = await WaitForState(http, location, "done");
        Assert.Equal(1.0, (double)done["progress"]!);
        Assert.Equal(1, (int)done["attempts"]!);
        var result = done["result"]!;
        Assert.Equal("exact", (string?)result["estimator"]);
        Assert.Equal(PaperFormulas.Uniformity(x, Rows, Dim), (double)result["uniformity"]!, 1e-6);

        // A finished job is removed by DELETE and is gone after.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(location)).StatusCode);
        await Http.Problem(await http.GetAsync(location), 404, "there is no quality job");
        await Http.Problem(await http.GetAsync("/v1/quality/jobs/..%2f..%2fetc"), 404, "32 hexadecimal digits");
    }

    [Fact]
    public async Task AJobAKilledServiceLeftRunningRunsAgainAndAThirdInterruptionFailsIt()
    {
        // What a service killed mid-job leaves on disk: the record says running, the upload is there. A folder whose
        // upload was cut before its record was written is cleaned away.
        const int Rows = 500, Dim = 8;
        var x = UnitVectors.Rows(Rows, Dim, 3);
        var jobs = _temp.Folder("jobs");
        var interrupted = LeftRunning(jobs, "0123456789abcdef0123456789abcdef", x, Rows, Dim, attempts: 1);
        var hopeless = LeftRunning(jobs, "fedcba9876543210fedcba9876543210", x, Rows, Dim, attempts: 3);
        Directory.CreateDirectory(Path.Combine(jobs, "00000000000000000000000000000000"));
        File.WriteAllBytes(Path.Combine(jobs, "00000000000000000000000000000000", "embeddings.npy.part"), new byte[10]);

        await using var factory = Service(new() { ["Hypersphere:QualityJobsPath"] = jobs });
        using var http = factory.CreateClient();
        var done = await WaitForState(http, $"/v1/quality/jobs/{interrupted}", "done");
        Assert.Equal(2, (int)done["attempts"]!);
        Assert.Equal(PaperFormulas.Uniformity(x, Rows, Dim), (double)done["result"]!["uniformity"]!, 1e-6);
        var failed = await WaitForState(http, $"/v1/quality/jobs/{hopeless}", "failed");
        Assert.Contains("stopped during each of the job's 3 attempts", (string?)failed["error"], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(jobs, "00000000000000000000000000000000")));
        Assert.False(File.Exists(Path.Combine(jobs, interrupted, "embeddings.npy"))); // an ended job keeps its result, not its upload
    }

    [Fact]
    public async Task AServiceKilledMidJobRunsItAgainWhenItStartsAndNothingIsLost()
    {
        // A real process, killed with SIGKILL while the job runs (exact over 1.8·10⁹ pairs on one core: seconds).
        const int Rows = 60_000, Dim = 32;
        var (jobs, models) = (_temp.Folder("jobs"), _temp.Folder("models"));
        string location;
        using (var first = ServiceProcess.Start(models, _temp.Path, $"--Hypersphere:QualityJobsPath={jobs}"))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.Port}"), Timeout = TimeSpan.FromSeconds(60) };
            await first.WaitUntilLiveAsync(http);
            var accepted = await http.PostAsync("/v1/quality/jobs?exact=true", Npy(UnitVectors.Rows(Rows, Dim, 7), Rows, Dim));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            location = accepted.Headers.Location!.ToString();
            await WaitForState(http, location, "running");
            first.Kill();
        }

        using var second = ServiceProcess.Start(models, _temp.Path, $"--Hypersphere:QualityJobsPath={jobs}");
        using var again = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        await second.WaitUntilLiveAsync(again);
        var done = await WaitForState(again, location, "done");
        Assert.Equal(2, (int)done["attempts"]!);
        Assert.Equal(Rows, (int)done["result"]!["n"]!);
        Assert.Equal((long)Rows * (Rows - 1) / 2, (long)done["result"]!["pairs"]!);
    }

    [Fact]
    public async Task UploadsAtTheSameTimeAllArriveWhole()
    {
        // Each submission reads the jobs folder while others are still writing theirs (folders without a record yet):
        // an earlier version took those for leftovers and deleted them under the uploads (a 500 the fuzz run found).
        await using var factory = Service(new() { ["Hypersphere:MaxQueuedQualityJobs"] = "1000" });
        using var http = factory.CreateClient();
        var x = UnitVectors.Rows(2000, 64, 8);
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => http.PostAsync("/v1/quality/jobs", Npy(x, 2000, 64))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        foreach (var answer in answers)
        {
            Assert.Equal(2000, (int)(await WaitForState(http, answer.Headers.Location!.ToString(), "done"))["result"]!["n"]!);
        }
    }

    [Fact]
    public async Task BadUploadsAreRefusedAtOnceLeaveNothingAndTheQueueIsBounded()
    {
        var jobs = _temp.Folder("jobs");
        await using var factory = Service(new() { ["Hypersphere:QualityJobsPath"] = jobs, ["Hypersphere:MaxQueuedQualityJobs"] = "1" });
        using var http = factory.CreateClient();
        await Http.Problem(await http.PostAsync("/v1/quality/jobs", Http.Json(new { embeddings = new[] { new[] { 1.0 } } })), 415, "application/x-npy");
        var notUnit = Npy([3f, 4f, 0f, 1f], 2, 2);
        await Http.Problem(await http.PostAsync("/v1/quality/jobs", notUnit), 422, "unit norm");
        await Http.Problem(await http.PostAsync("/v1/quality/jobs?t=-1", Npy([1f, 0f, 0f, 1f], 2, 2)), 422, "t must be");
        await Http.Problem(await http.PostAsync("/v1/quality/jobs?exact=yes", Npy([1f, 0f, 0f, 1f], 2, 2)), 422, "exact must be true or false, but was 'yes'");
        await Http.Problem(await http.PostAsync("/v1/quality/jobs?seed=1.5", Npy([1f, 0f, 0f, 1f], 2, 2)), 422, "seed must be an integer");
        await Http.Problem(await http.PostAsync("/v1/quality/jobs?t=1&t=2", Npy([1f, 0f, 0f, 1f], 2, 2)), 400, "'t' appears 2 times");
        Assert.Empty(Directory.EnumerateDirectories(jobs));

        // One long job (exact over 4.5·10⁸ pairs on one core) holds the only place: the next is 429 with Retry-After.
        const int Rows = 30_000, Dim = 32;
        var first = await http.PostAsync("/v1/quality/jobs?exact=true", Npy(UnitVectors.Rows(Rows, Dim, 4), Rows, Dim));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var refused = await http.PostAsync("/v1/quality/jobs", Npy([1f, 0f, 0f, 1f], 2, 2));
        await Http.Problem(refused, 429, "Hypersphere:MaxQueuedQualityJobs");
        Assert.NotNull(refused.Headers.RetryAfter);

        // Cancelling it ends it as cancelled, and frees the place.
        var location = first.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync(location)).StatusCode);
        var cancelled = await WaitForState(http, location, "cancelled");
        Assert.Contains("cancelled by DELETE", (string?)cancelled["error"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/v1/quality/jobs", Npy([1f, 0f, 0f, 1f], 2, 2))).StatusCode);
    }

    private ServiceFactory Service(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Hypersphere:QualityJobsPath", _temp.Folder("jobs-" + Guid.NewGuid().ToString("N")));
        return new ServiceFactory(_temp.Folder("models"), settings);
    }

    private static string LeftRunning(string jobs, string id, float[] x, int rows, int dim, int attempts)
    {
        var folder = Directory.CreateDirectory(Path.Combine(jobs, id)).FullName;
        NpyFile.Write(Path.Combine(folder, "embeddings.npy"), x, rows, dim);
        var record = new JsonObject
        {
            ["id"] = id, ["state"] = "running", ["created"] = "2026-12-03T10:00:00+00:00", ["started"] = "2026-12-03T10:00:01+00:00", ["finished"] = null,
            ["attempts"] = attempts, ["rows"] = rows, ["dim"] = dim, ["error"] = null,
            ["settings"] = new JsonObject { ["t"] = 2, ["normalize"] = false, ["sample_pairs"] = null, ["error"] = null, ["seed"] = 0, ["exact"] = false },
        };
        File.WriteAllText(Path.Combine(folder, "job.json"), record.ToJsonString());
        return id;
    }

    private static async Task<JsonNode> WaitForState(HttpClient http, string location, string state)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(100))
        {
            var job = await Http.OkJson(await http.GetAsync(location));
            if ((string?)job["state"] == state || DateTime.UtcNow > deadline)
            {
                Assert.Equal(state, (string?)job["state"]);
                return job;
            }
        }
    }

    private static ByteArrayContent Npy(float[] values, int rows, int dim)
    {
        var content = new ByteArrayContent(NpyBytes.File($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}", NpyBytes.Float32(values)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        return content;
    }
}
