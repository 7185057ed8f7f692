using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>How an <see cref="OnnxEncoder"/> opens its session.</summary>
/// <param name="Provider">Execution provider choice.</param>
/// <param name="DeviceId">CUDA device ordinal, when CUDA is tried.</param>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads (0: ONNX Runtime's default, one per physical core).</param>
/// <param name="IntraOpSpinning">
/// Whether idle intra-op threads spin for more work (ONNX Runtime's default, best when runs follow each other
/// closely) or sleep at once (<c>session.intra_op.allow_spinning = 0</c>: leaves the cores to other work in the
/// process between runs, such as a server parsing requests).
/// </param>
/// <param name="ProviderSetting">How the caller's user chooses the provider, named in the message when CUDA was demanded and cannot load (<c>--provider</c> on the command line, <c>Hypersphere:ExecutionProvider</c> in the service).</param>
public sealed record EncoderOptions(
    ExecutionProviderChoice Provider = ExecutionProviderChoice.Auto, int DeviceId = 0, int IntraOpThreads = 0, bool IntraOpSpinning = true, string ProviderSetting = "--provider")
{
    /// <summary>Auto provider, device 0, default threads.</summary>
    public static EncoderOptions Default { get; } = new();

    /// <summary>The CUDA execution provider's options, applied when CUDA is tried.</summary>
    public CudaProviderSettings Cuda { get; init; } = CudaProviderSettings.Default;

    /// <summary>
    /// The batch sizes a session on CUDA is warmed up with before it serves, in this order: every size a caller will
    /// run, so that no live run pays a cuDNN algorithm search (made per input shape) or an arena growth. Largest first,
    /// so the arena grows to its peak once. A CPU session warms one image whatever this says. Default: one image.
    /// </summary>
    public IReadOnlyList<int> WarmUpBatchSizes { get; init; } = [1];

    /// <summary>
    /// Runs a CPU session through IOBinding bound to CPU memory, as CUDA sessions always run (with pinned host memory):
    /// lets tests compare the bound data path with the plain one where there is no GPU.
    /// </summary>
    internal bool BindIoOnCpu { get; init; }

    /// <summary>Every batch size from <paramref name="maxBatch"/> down to 1: what a batcher of that limit may run.</summary>
    public static IReadOnlyList<int> EveryBatchUpTo(int maxBatch) => Enumerable.Range(1, maxBatch).Reverse().ToArray();

    /// <summary>The batch sizes <see cref="OnnxEncoder.Load(ModelFolder, EncoderOptions?)"/> warms a session on <paramref name="provider"/> with.</summary>
    public IReadOnlyList<int> WarmUpSizesOn(string provider) => provider == ExecutionProviders.Cuda ? WarmUpBatchSizes : [1];

    /// <summary>Refuses negative numbers, empty warm-up lists and CUDA options ONNX Runtime does not know, with <see cref="ErrorKind.InvalidInput"/>.</summary>
    public void Validate()
    {
        if (DeviceId < 0)
        {
            throw HypersphereException.Invalid($"CUDA device id must be at least 0, but was {DeviceId}");
        }

        if (IntraOpThreads < 0)
        {
            throw HypersphereException.Invalid($"intra-op threads must be at least 0 (0 = ONNX Runtime's default), but was {IntraOpThreads}");
        }

        if (WarmUpBatchSizes is not { Count: > 0 } || WarmUpBatchSizes.Any(size => size < 1))
        {
            throw HypersphereException.Invalid($"warm-up batch sizes must be one or more sizes of at least 1, but were [{string.Join(", ", WarmUpBatchSizes ?? [])}]");
        }

        ArgumentNullException.ThrowIfNull(Cuda);
        Cuda.Validate();
    }
}
