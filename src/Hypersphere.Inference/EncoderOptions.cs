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

    /// <summary>Refuses negative numbers with <see cref="ErrorKind.InvalidInput"/>.</summary>
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
    }
}
