using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>Which ONNX Runtime execution provider a session should run on.</summary>
public enum ExecutionProviderChoice
{
    /// <summary>CUDA if it loads here, else CPU (and say why).</summary>
    Auto,

    /// <summary>CUDA or nothing: a machine without a usable CUDA 13 / cuDNN 9 is <see cref="ErrorKind.NotReady"/>.</summary>
    Cuda,

    /// <summary>CPU only.</summary>
    Cpu,
}

/// <summary>The provider a session actually runs on, and why it is not the one asked for when it is not.</summary>
/// <param name="Name">ONNX Runtime's provider name (<see cref="ExecutionProviders.Cuda"/> or <see cref="ExecutionProviders.Cpu"/>).</param>
/// <param name="Requested">What was asked for.</param>
/// <param name="FallbackReason">Why <see cref="ExecutionProviderChoice.Auto"/> fell back to CPU; null otherwise.</param>
public sealed record ExecutionProviderInfo(string Name, ExecutionProviderChoice Requested, string? FallbackReason);

/// <summary>Provider names and parsing of the <c>auto|cuda|cpu</c> setting.</summary>
public static class ExecutionProviders
{
    /// <summary>ONNX Runtime's name of the CUDA provider.</summary>
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>ONNX Runtime's name of the CPU provider.</summary>
    public const string Cpu = "CPUExecutionProvider";

    /// <summary>Parses <c>auto</c>, <c>cuda</c> or <c>cpu</c> (any case); anything else is <see cref="ErrorKind.BadRequest"/>.</summary>
    public static ExecutionProviderChoice Parse(string text) => text?.Trim().ToUpperInvariant() switch
    {
        "AUTO" => ExecutionProviderChoice.Auto,
        "CUDA" => ExecutionProviderChoice.Cuda,
        "CPU" => ExecutionProviderChoice.Cpu,
        _ => throw HypersphereException.Bad($"execution provider must be auto, cuda or cpu, but was '{text}'"),
    };
}
