using System.ComponentModel.DataAnnotations;

namespace Hypersphere.Service.Hosting;

/// <summary>
/// The service's settings, bound from the configuration section <c>Hypersphere</c> (appsettings.json,
/// environment variables such as <c>Hypersphere__ModelsPath</c>, or <c>--Hypersphere:ModelsPath</c>) and
/// validated when the process starts: a bad value stops it with a message that names the setting.
/// </summary>
public sealed class HypersphereOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hypersphere";

    /// <summary>
    /// The models root (<c>models/&lt;name&gt;/&lt;version&gt;/</c>). Default: the first <c>models</c> folder found by
    /// walking up from the content root (the repository's when run from a checkout), else <c>/app/models</c>.
    /// </summary>
    public string ModelsPath { get; set; } = string.Empty;

    /// <summary><c>name</c> or <c>name@version</c> served when a request names no model; default: the first model by name.</summary>
    public string? DefaultModel { get; set; }

    /// <summary><c>auto</c> (CUDA if it loads, else CPU with the reason logged), <c>cuda</c> or <c>cpu</c>.</summary>
    [RegularExpression("^(?i:auto|cuda|cpu)$", ErrorMessage = "Hypersphere:ExecutionProvider must be auto, cuda or cpu")]
    public string ExecutionProvider { get; set; } = "auto";

    /// <summary>CUDA device ordinal used when CUDA is tried.</summary>
    [Range(0, 64, ErrorMessage = "Hypersphere:CudaDeviceId must be between {1} and {2}")]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// How cuDNN picks each convolution's algorithm, once per input shape (the CUDA provider's
    /// <c>cudnn_conv_algo_search</c>): <c>HEURISTIC</c> (the default: cuDNN's heuristics, no trial runs),
    /// <c>EXHAUSTIVE</c> (ONNX Runtime's default: times every algorithm, slower warm-up, more device memory while it
    /// searches) or <c>DEFAULT</c> (one fixed algorithm). Warm-up runs every batch size the batcher may send, so no
    /// request pays the search (docs/deployment.md "Serving on a GPU").
    /// </summary>
    [RegularExpression("^(?i:EXHAUSTIVE|HEURISTIC|DEFAULT)$", ErrorMessage = "Hypersphere:CudnnConvAlgoSearch must be HEURISTIC, EXHAUSTIVE or DEFAULT")]
    public string CudnnConvAlgoSearch { get; set; } = "HEURISTIC";

    /// <summary>
    /// How the CUDA provider's device memory arena grows (<c>arena_extend_strategy</c>): <c>kSameAsRequested</c> (the
    /// default: by what a run asks) or <c>kNextPowerOfTwo</c> (ONNX Runtime's default: by powers of two, which may
    /// reserve up to twice what runs need).
    /// </summary>
    [RegularExpression("^(?i:kSameAsRequested|kNextPowerOfTwo)$", ErrorMessage = "Hypersphere:CudaArenaExtendStrategy must be kSameAsRequested or kNextPowerOfTwo")]
    public string CudaArenaExtendStrategy { get; set; } = "kSameAsRequested";

    /// <summary>Most bytes the CUDA provider's device arena may hold (<c>gpu_mem_limit</c>); 0 (the default): no limit.</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Hypersphere:CudaMemoryLimitBytes must be between {1} and {2} (0: no limit)")]
    public long CudaMemoryLimitBytes { get; set; }

    /// <summary>
    /// Whether the CUDA provider copies between host and device on its compute stream (<c>do_copy_in_default_stream</c>;
    /// true, the default and ONNX Runtime's) or on separate streams, which ONNX Runtime warns may race for some models.
    /// </summary>
    public bool CudaCopyInDefaultStream { get; set; } = true;

    /// <summary>The CUDA provider's options of the settings above.</summary>
    public Inference.CudaProviderSettings CudaProvider => new(CudnnConvAlgoSearch, CudaArenaExtendStrategy, CudaMemoryLimitBytes, CudaCopyInDefaultStream);

    /// <summary>The batch size GPU models get when <see cref="MaxBatchSize"/> is automatic; unmeasured until measured on a GPU.</summary>
    public const int GpuMaxBatchSize = 128;

    /// <summary>The batch delay GPU models get when <see cref="MaxBatchDelayMs"/> is automatic; unmeasured until measured on a GPU.</summary>
    public const int GpuMaxBatchDelayMs = 2;

    /// <summary>The batch size CPU models get when <see cref="MaxBatchSize"/> is automatic (docs/performance.md).</summary>
    public const int CpuMaxBatchSize = 32;

    /// <summary>The largest batch of a model on <paramref name="provider"/> (ONNX Runtime's provider name): <see cref="MaxBatchSize"/>, or the provider's default.</summary>
    public int EffectiveMaxBatchSize(string provider) => MaxBatchSize > 0
        ? MaxBatchSize
        : provider == Inference.ExecutionProviders.Cuda ? GpuMaxBatchSize : CpuMaxBatchSize;

    /// <summary>How long a batch of a model on <paramref name="provider"/> waits for company: <see cref="MaxBatchDelayMs"/>, or the provider's default.</summary>
    public int EffectiveMaxBatchDelayMs(string provider) => MaxBatchDelayMs
        ?? (provider == Inference.ExecutionProviders.Cuda ? GpuMaxBatchDelayMs : 0);

    /// <summary>
    /// ONNX Runtime intra-op threads per session. 0 (the default): 1 while <see cref="ConcurrentBatches"/> is
    /// automatic too (parallel runs use the cores), else ONNX Runtime's default, one per physical core.
    /// </summary>
    [Range(0, 1024, ErrorMessage = "Hypersphere:IntraOpThreads must be between {1} and {2}")]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's idle intra-op threads spin for the next run (ONNX Runtime's own default) or sleep at
    /// once (the default here), leaving the cores to Kestrel's request handling between runs (docs/performance.md).
    /// </summary>
    public bool IntraOpSpinning { get; set; }

    /// <summary>Largest request body in bytes (Kestrel's own limit); larger bodies are answered 413.</summary>
    [Range(1024, 1L << 30, ErrorMessage = "Hypersphere:MaxBodyBytes must be between {1} and {2}")]
    public long MaxBodyBytes { get; set; } = 64L << 20;

    /// <summary>Most input items (images or float arrays) in one request; more is 413.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Hypersphere:MaxItemsPerRequest must be between {1} and {2}")]
    public int MaxItemsPerRequest { get; set; } = 256;

    /// <summary>Most pixels (width·height) an encoded image may declare; read from its header before decoding, so a decompression bomb is refused (413).</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "Hypersphere:MaxImagePixels must be between {1} and {2}")]
    public long MaxImagePixels { get; set; } = 25_000_000;

    /// <summary>Most values (rows × dim) in one matrix given to <c>/v1/quality</c>; more is 413.</summary>
    [Range(4, 1_000_000_000, ErrorMessage = "Hypersphere:MaxQualityValues must be between {1} and {2}")]
    public long MaxQualityValues { get; set; } = 1L << 22;

    /// <summary>
    /// Most pairs <c>/v1/quality</c> computes exactly: above it uniformity is estimated from sampled pairs with a 95 %
    /// interval, and the warnings say so; a request that asks for <c>exact</c> above it is refused (413). The default,
    /// 2·10⁸ pairs (N ≈ 20 000), takes about half a second on two cores.
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "Hypersphere:QualityExactMaxPairs must be between {1} and {2}")]
    public long QualityExactMaxPairs { get; set; } = 200_000_000;

    /// <summary>The folder of quality jobs (<c>/v1/quality/jobs</c>): their uploads, records and results. Empty: <c>hypersphere-quality-jobs</c> in the temp folder.</summary>
    public string QualityJobsPath { get; set; } = string.Empty;

    /// <summary>Largest <c>.npy</c> body a quality job takes, streamed to disk (never held in memory); larger is 413.</summary>
    [Range(1024, long.MaxValue, ErrorMessage = "Hypersphere:MaxQualityJobBytes must be between {1} and {2}")]
    public long MaxQualityJobBytes { get; set; } = 8L << 30;

    /// <summary>Most quality jobs queued or running at once (they run one at a time); one more is refused with 429 and Retry-After.</summary>
    [Range(1, 10_000, ErrorMessage = "Hypersphere:MaxQueuedQualityJobs must be between {1} and {2}")]
    public int MaxQueuedQualityJobs { get; set; } = 16;

    /// <summary>Cores a running quality job uses (−1: all; the default 1 leaves the others to requests).</summary>
    [Range(-1, 1024, ErrorMessage = "Hypersphere:QualityJobThreads must be between {1} and {2}")]
    public int QualityJobThreads { get; set; } = 1;

    /// <summary>Most pairs one <c>/v1/quality</c> request may sample (<c>sample_pairs</c>, or what its <c>error</c> needs); more is 413.</summary>
    [Range(2, long.MaxValue, ErrorMessage = "Hypersphere:QualityMaxSampledPairs must be between {1} and {2}")]
    public long QualityMaxSampledPairs { get; set; } = 100_000_000;

    /// <summary>
    /// Largest batch one ONNX Runtime run takes: the batcher coalesces requests for one model version up to it. 0 (the
    /// default): by the model's provider, 32 on the CPU (docs/performance.md) and 128 on CUDA, a GPU default that is
    /// unmeasured until measured on a GPU. On CUDA every size up to it is warmed up when a model loads.
    /// </summary>
    [Range(0, 4096, ErrorMessage = "Hypersphere:MaxBatchSize must be between {1} and {2} (0: by the provider)")]
    public int MaxBatchSize { get; set; }

    /// <summary>
    /// Longest the first image of a batch waits for others to join it, in milliseconds (0: run what is queued at once;
    /// under load the requests that arrive during a run form the next batch). Unset (the default): by the model's
    /// provider, 0 on the CPU and 2 ms on CUDA, a GPU default that is unmeasured until measured on a GPU.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "Hypersphere:MaxBatchDelayMs must be between {1} and {2}")]
    public int? MaxBatchDelayMs { get; set; }

    /// <summary>
    /// Most batches of one model version running at once (each an ONNX Runtime run on the one session). 0 (the
    /// default): on the CPU provider one run per core the process may use (<see cref="Environment.ProcessorCount"/>,
    /// which follows container CPU limits) divided by <see cref="IntraOpThreads"/>, each run on one intra-op thread
    /// unless <see cref="IntraOpThreads"/> says otherwise, so runs never hand work between threads; on CUDA two, so
    /// one batch's copies and preparation overlap the other's kernels (a GPU default, unmeasured until measured on a GPU).
    /// On two cores this is 13 % faster over HTTP than one run on two threads (docs/performance.md).
    /// </summary>
    [Range(0, 64, ErrorMessage = "Hypersphere:ConcurrentBatches must be between {1} and {2}")]
    public int ConcurrentBatches { get; set; }

    /// <summary>The intra-op threads a session gets: <see cref="IntraOpThreads"/>, or 1 when both it and <see cref="ConcurrentBatches"/> are automatic.</summary>
    public int EffectiveIntraOpThreads => IntraOpThreads == 0 && ConcurrentBatches == 0 ? 1 : IntraOpThreads;

    /// <summary>The batches of a model on <paramref name="provider"/> (ONNX Runtime's provider name) that may run at once.</summary>
    public int EffectiveConcurrentBatches(string provider) => ConcurrentBatches > 0
        ? ConcurrentBatches
        : provider == Inference.ExecutionProviders.Cpu ? Math.Max(1, Environment.ProcessorCount / Math.Max(1, EffectiveIntraOpThreads)) : GpuConcurrentBatches;

    /// <summary>The batches of a GPU model that run at once when <see cref="ConcurrentBatches"/> is automatic; unmeasured until measured on a GPU.</summary>
    public const int GpuConcurrentBatches = 2;

    /// <summary>Most images waiting for a batch, per model version; a request that would pass it is refused with 429 and Retry-After.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Hypersphere:MaxQueue must be between {1} and {2}")]
    public int MaxQueue { get; set; } = 2048;

    /// <summary>
    /// Most requests for model work (embeddings, quality) in the service at once, from the moment they enter (before
    /// their bodies are read); past it and <see cref="MaxWaitingRequests"/> one more is refused at once with 429 and
    /// Retry-After. Enough to keep every batch full; more only holds bodies in memory (docs/performance.md).
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Hypersphere:MaxConcurrentRequests must be between {1} and {2}")]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Requests that may wait (body unread, within <see cref="RequestTimeoutMs"/>) for one of the
    /// <see cref="MaxConcurrentRequests"/> permits, oldest first; 0 refuses at once. A waiting request costs a
    /// connection and a timer; a refused one costs its client a round trip and, from clients that retry at once
    /// whatever Retry-After says, a storm of them that takes the cores from the work (docs/performance.md).
    /// </summary>
    [Range(0, 100_000, ErrorMessage = "Hypersphere:MaxWaitingRequests must be between {1} and {2}")]
    public int MaxWaitingRequests { get; set; } = 256;

    /// <summary>
    /// How long a refused request (429) waits before its answer, in milliseconds: a timer, no permit. Clients that
    /// honour Retry-After lose little; clients that retry at once are slowed to one refusal per connection per
    /// delay, so their refusals cannot crowd out the work (docs/performance.md). 0 answers at once.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "Hypersphere:RefusalDelayMs must be between {1} and {2}")]
    public int RefusalDelayMs { get; set; } = 100;

    /// <summary>Most requests for model work in the service at once per bearer key (0, the default: no limit per key beyond <see cref="MaxConcurrentRequests"/>).</summary>
    [Range(0, 100_000, ErrorMessage = "Hypersphere:MaxConcurrentRequestsPerKey must be between {1} and {2}")]
    public int MaxConcurrentRequestsPerKey { get; set; }

    /// <summary>
    /// Most pixels (width·height summed over its images) one request may decode; each image's declared size is
    /// charged before it is decoded, so more is refused (413) before it costs more than this.
    /// </summary>
    [Range(1, 10_000_000_000, ErrorMessage = "Hypersphere:MaxRequestPixels must be between {1} and {2}")]
    public long MaxRequestPixels { get; set; } = 50_000_000;

    /// <summary>
    /// Longest a request for model work may take, body, decoding, waiting and running included, in milliseconds. Past
    /// it the request is answered 503 (<c>not_ready</c>: the service is too busy to answer in time) and its images
    /// still queued are dropped.
    /// </summary>
    [Range(1, 3_600_000, ErrorMessage = "Hypersphere:RequestTimeoutMs must be between {1} and {2}")]
    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// Bearer keys for <c>/v1</c>. Empty (the default): <c>/v1</c> is open. Configure as a list
    /// (<c>Hypersphere:ApiKeys:0</c>, <c>Hypersphere__ApiKeys__0</c>) or one comma-separated value.
    /// </summary>
    public IList<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// A second port on which Kestrel answers <c>GET /metrics</c> and nothing else; the API port then answers it 404, so
    /// the unauthenticated scrape can be opened to Prometheus alone (a NetworkPolicy on this port). It is added to the
    /// configured URLs as <c>http://+:&lt;port&gt;</c>. 0 (the default): <c>/metrics</c> on the API port, like the probes.
    /// </summary>
    [Range(0, 65_535, ErrorMessage = "Hypersphere:MetricsPort must be between {1} and {2}")]
    public int MetricsPort { get; set; }

    /// <summary>Bearer keys for <c>/admin</c>, separate from <see cref="ApiKeys"/>. Empty (the default): <c>/admin</c> is open.</summary>
    public IList<string> AdminKeys { get; set; } = [];

    /// <summary>
    /// How the service notices changes under <see cref="ModelsPath"/> and reloads: <c>inotify</c> (the default: the
    /// kernel's file-system events), <c>poll</c> (a rescan every <see cref="ModelPollSeconds"/>, for NFS and other
    /// volumes written from another node, whose writes raise no event here) or <c>off</c>. <c>POST /admin/reload</c>
    /// works in every mode.
    /// </summary>
    [RegularExpression("^(?i:inotify|poll|off)$", ErrorMessage = "Hypersphere:ModelWatch must be inotify, poll or off")]
    public string ModelWatch { get; set; } = "inotify";

    /// <summary>Seconds between two scans of <see cref="ModelsPath"/> when <see cref="ModelWatch"/> is <c>poll</c>.</summary>
    [Range(1, 3_600, ErrorMessage = "Hypersphere:ModelPollSeconds must be between {1} and {2}")]
    public int ModelPollSeconds { get; set; } = 10;

    /// <summary>Quiet time after the last change under <see cref="ModelsPath"/> before the reload, in milliseconds, so a folder being copied is read whole.</summary>
    [Range(10, 600_000, ErrorMessage = "Hypersphere:ReloadDebounceMs must be between {1} and {2}")]
    public int ReloadDebounceMs { get; set; } = 1_000;

    /// <summary>
    /// Consecutive runs of one model version that fail for the server's reasons (the device or ONNX Runtime, not the
    /// input) before <c>/healthz/ready</c> answers 503; the next run that succeeds makes it ready again.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "Hypersphere:RunFailureThreshold must be between {1} and {2}")]
    public int RunFailureThreshold { get; set; } = 5;

    /// <summary>
    /// Retries when loading a model folder fails, for any reason (a mounted volume still syncing, a file half-copied,
    /// a device briefly busy); each failed attempt is listed in <c>/healthz/ready</c> and counted.
    /// </summary>
    [Range(0, 10, ErrorMessage = "Hypersphere:ModelLoadRetries must be between {1} and {2}")]
    public int ModelLoadRetries { get; set; } = 3;

    /// <summary>Delay before the first load retry, in milliseconds; it doubles for each further one.</summary>
    [Range(1, 60_000, ErrorMessage = "Hypersphere:ModelLoadRetryDelayMs must be between {1} and {2}")]
    public int ModelLoadRetryDelayMs { get; set; } = 500;

    // Live quality of served embeddings (docs/architecture.md §5 "Live quality").

    /// <summary>
    /// Rows of recently served embeddings kept per loaded model version for live quality (a ring buffer of
    /// window × d floats, allocated once when the version first serves); 0 turns live quality off.
    /// </summary>
    [Range(0, 65_536, ErrorMessage = "Hypersphere:LiveQualityWindow must be between {1} and {2}")]
    public int LiveQualityWindow { get; set; } = 4096;

    /// <summary>Fraction of served rows offered to the window (each row independently); 1 keeps every row the window gets without contention.</summary>
    [Range(double.Epsilon, 1.0, ErrorMessage = "Hypersphere:LiveQualitySampleFraction must be above 0 and at most 1")]
    public double LiveQualitySampleFraction { get; set; } = 1.0;

    /// <summary>Seconds between two computations of every window's report, on one low-priority background thread.</summary>
    [Range(1, 3_600, ErrorMessage = "Hypersphere:LiveQualityIntervalSeconds must be between {1} and {2}")]
    public int LiveQualityIntervalSeconds { get; set; } = 15;

    /// <summary>
    /// Fraction of served images (or preprocessed float inputs) whose two augmented views, made with the recipe the model
    /// was trained with, are embedded in the background to measure live alignment (0 turns it off). At most
    /// 64 images a version wait for their views; the last 1 024 pairs make the number.
    /// </summary>
    [Range(0.0, 1.0, ErrorMessage = "Hypersphere:LiveAlignmentSampleFraction must be between {1} and {2}")]
    public double LiveAlignmentSampleFraction { get; set; } = 0.01;

    /// <summary>
    /// How long a shutdown (SIGTERM) may take, in seconds: the server stops accepting, requests in flight finish and
    /// the batch queues drain, then the sessions are disposed (the host's <c>ShutdownTimeout</c>).
    /// </summary>
    [Range(1, 3_600, ErrorMessage = "Hypersphere:ShutdownTimeoutSeconds must be between {1} and {2}")]
    public int ShutdownTimeoutSeconds { get; set; } = 30;
}
