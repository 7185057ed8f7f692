using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hypersphere.Core.IO;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Jobs;

/// <summary>What a job was asked to compute.</summary>
/// <param name="T">Uniformity kernel width.</param>
/// <param name="Normalize">L2-normalise rows instead of refusing non-unit ones.</param>
/// <param name="SamplePairs">Pairs to sample, if asked.</param>
/// <param name="Error">Target 95 % half-width, if asked.</param>
/// <param name="Seed">Seed of the draws.</param>
/// <param name="Exact">Every pair.</param>
public sealed record QualityJobSettings(double T, bool Normalize, long? SamplePairs, double? Error, int Seed, bool Exact);

/// <summary>A quality job as its folder records it (<c>job.json</c>).</summary>
/// <param name="Id">32 hex digits.</param>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>done</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Created">When it was accepted.</param>
/// <param name="Started">When its last attempt started.</param>
/// <param name="Finished">When it ended.</param>
/// <param name="Attempts">Attempts started (a restart mid-job starts another).</param>
/// <param name="Rows">Rows of the submitted embeddings.</param>
/// <param name="Dim">Their dimension.</param>
/// <param name="Error">Why it failed, or a note on how it ended.</param>
/// <param name="Settings">What it computes.</param>
public sealed record QualityJobRecord(
    string Id, string State, DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, int Attempts, int Rows, int Dim, string? Error, QualityJobSettings Settings)
{
    /// <summary>Whether the job will not change any more.</summary>
    public bool Ended => State is QualityJobStore.Done or QualityJobStore.Failed or QualityJobStore.Cancelled;
}

/// <summary>
/// The jobs folder (<see cref="HypersphereOptions.QualityJobsPath"/>): one folder per job with <c>job.json</c>, the uploaded
/// <c>embeddings.npy</c> until the job ends, and <c>result.json</c> once it is done. Every file is written whole or not at
/// all (a temporary file, then a rename), so a killed service leaves each job in its last recorded state, and the runner
/// picks unfinished ones up when it starts again.
/// </summary>
internal sealed partial class QualityJobStore
{
    /// <summary>States.</summary>
    public const string Queued = "queued", Running = "running", Done = "done", Failed = "failed", Cancelled = "cancelled";

    private const string JobFile = "job.json", ResultFile = "result.json", EmbeddingsFile = "embeddings.npy";
    private readonly ConcurrentDictionary<string, double> _progress = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public QualityJobStore(IOptions<HypersphereOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Value.QualityJobsPath;
        Root = Path.GetFullPath(string.IsNullOrEmpty(path) ? Path.Combine(Path.GetTempPath(), "hypersphere-quality-jobs") : path);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The jobs folder (never shown in answers).</summary>
    public string Root { get; }

    /// <summary>Whether <paramref name="id"/> has the shape of a job id (so it can name a folder safely).</summary>
    public static bool IsId(string id) => IdPattern().IsMatch(id);

    /// <summary>A new job's folder and id.</summary>
    public (string Id, string Folder) Create()
    {
        var id = Guid.NewGuid().ToString("N");
        return (id, Directory.CreateDirectory(Path.Combine(Root, id)).FullName);
    }

    /// <summary>Where a job's uploaded embeddings live.</summary>
    public string EmbeddingsPath(string id) => Path.Combine(Root, id, EmbeddingsFile);

    /// <summary>The job, or null when there is none.</summary>
    public QualityJobRecord? Read(string id)
    {
        var file = Path.Combine(Root, id, JobFile);
        if (!IsId(id) || !File.Exists(file))
        {
            return null;
        }

        lock (_lock)
        {
            return JsonSerializer.Deserialize<QualityJobRecord>(File.ReadAllBytes(file), SnakeCaseJson.Indented);
        }
    }

    /// <summary>Records <paramref name="job"/> atomically.</summary>
    public void Write(QualityJobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            AtomicFile.Write(Path.Combine(Root, job.Id, JobFile), JsonSerializer.SerializeToUtf8Bytes(job, SnakeCaseJson.Indented));
        }
    }

    /// <summary>Changes a job under the store's lock (so a cancel and the runner never overwrite each other's state).</summary>
    public QualityJobRecord? Update(string id, Func<QualityJobRecord, QualityJobRecord> change)
    {
        lock (_lock)
        {
            if (Read(id) is not { } job)
            {
                return null;
            }

            var changed = change(job);
            Write(changed);
            return changed;
        }
    }

    /// <summary>Stores a done job's report (the JSON of <c>POST /v1/quality</c>).</summary>
    public void WriteResult(string id, byte[] json) => AtomicFile.Write(Path.Combine(Root, id, ResultFile), json);

    /// <summary>A done job's report, or null.</summary>
    public JsonElement? ReadResult(string id)
    {
        var file = Path.Combine(Root, id, ResultFile);
        return File.Exists(file) ? JsonDocument.Parse(File.ReadAllBytes(file)).RootElement.Clone() : null;
    }

    /// <summary>Deletes the uploaded embeddings of an ended job (the result and the record stay).</summary>
    public void DropEmbeddings(string id) => File.Delete(EmbeddingsPath(id));

    /// <summary>Deletes a job whole.</summary>
    public void Delete(string id)
    {
        _progress.TryRemove(id, out _);
        Directory.Delete(Path.Combine(Root, id), recursive: true);
    }

    /// <summary>
    /// Every job recorded in the folder, oldest first. A folder without a readable record is skipped: it may be an
    /// upload in progress (its record is written once the file has arrived whole).
    /// </summary>
    public IReadOnlyList<QualityJobRecord> All() =>
        [.. Directory.EnumerateDirectories(Root).Select(folder => TryRead(Path.GetFileName(folder))).OfType<QualityJobRecord>().OrderBy(j => j.Created)];

    /// <summary>
    /// Removes the folders without a readable record: uploads a stopped or killed service never finished. Only at start,
    /// before requests arrive, when no upload can be in progress.
    /// </summary>
    public void RemoveUnfinishedUploads()
    {
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (TryRead(Path.GetFileName(folder)) is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private QualityJobRecord? TryRead(string id)
    {
        try
        {
            return Read(id);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The running job's fraction done (of its exact pass), 0 when unknown.</summary>
    public double Progress(string id) => _progress.TryGetValue(id, out var p) ? p : 0;

    /// <summary>Records the running job's progress (memory only: a restart starts the job again).</summary>
    public void SetProgress(string id, double fraction) => _progress[id] = fraction;

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex IdPattern();
}
