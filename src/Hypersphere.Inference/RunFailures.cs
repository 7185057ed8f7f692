using System.Text.RegularExpressions;
using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference;

/// <summary>What kind of server-side failure a failed run was (see <see cref="RunFailures"/>).</summary>
public enum DeviceFault
{
    /// <summary>The device ran out of memory for this batch; later, smaller or fewer batches may fit.</summary>
    OutOfMemory,

    /// <summary>ONNX Runtime or its execution provider failed for a reason that is not the input's; it may pass.</summary>
    Runtime,

    /// <summary>
    /// The CUDA context is broken for good (an illegal address, a launch failure, no device): CUDA's "sticky" errors,
    /// after which every later call in the process fails too. Only a new process (a restarted pod) recovers.
    /// </summary>
    DeviceLost,
}

/// <summary>
/// A run that failed for a reason of the server's, not the request's: <see cref="ErrorKind.NotReady"/> (503). The
/// message is public (no file paths, host names or ONNX Runtime source locations); the inner exception keeps
/// ONNX Runtime's own text for the log.
/// </summary>
public sealed class InferenceFailureException : HypersphereException
{
    /// <summary>Creates the failure.</summary>
    /// <param name="fault">What failed.</param>
    /// <param name="detail">The public message.</param>
    /// <param name="retryAfterSeconds">When a client may try again (at least 1).</param>
    /// <param name="inner">ONNX Runtime's exception.</param>
    public InferenceFailureException(DeviceFault fault, string detail, int retryAfterSeconds, Exception? inner = null)
        : base(ErrorKind.NotReady, detail, inner)
    {
        Fault = fault;
        RetryAfterSeconds = Math.Max(1, retryAfterSeconds);
    }

    /// <summary>What failed.</summary>
    public DeviceFault Fault { get; }

    /// <summary>Whole seconds a client should wait before sending the request again.</summary>
    public int RetryAfterSeconds { get; }
}

/// <summary>
/// Classifies an <see cref="OnnxRuntimeException"/> thrown by a run. ONNX Runtime's C# API exposes the native status
/// code only in the message prefix (<c>[ErrorCode:InvalidArgument] …</c>; its <c>ErrorCode</c> enum is internal), so
/// the code is read from there:
/// <list type="bullet">
/// <item><c>InvalidArgument</c> is the input's fault (a shape or type the graph refuses): <see cref="ErrorKind.InvalidInput"/>, 422.</item>
/// <item>every other code (<c>Fail</c>, <c>RuntimeException</c>, <c>EngineError</c>, <c>NotImplemented</c>, the
/// execution provider's failures, …) is the server's: <see cref="InferenceFailureException"/>, 503. The service
/// checks the batch's shape and values before it runs, so nothing else can be the request's.</item>
/// </list>
/// Among the server's failures, the message is matched (case-insensitively) against CUDA's error names and texts, as
/// the CUDA execution provider writes them (<c>CUDA failure 700: an illegal memory access was encountered</c>,
/// <c>CUDA error cudaErrorLaunchFailure:unspecified launch failure</c>): see <see cref="DeviceLostPatterns"/> and
/// <see cref="OutOfMemoryPatterns"/>. This is a heuristic: ONNX Runtime has no status for "the device is gone", the
/// texts are CUDA's and the provider's and may change, and an unmatched sticky error counts as <see cref="DeviceFault.Runtime"/>
/// (the service's run-failure threshold then makes the pod unready rather than restarting it).
/// </summary>
public static partial class RunFailures
{
    /// <summary>
    /// Message fragments of CUDA's sticky errors, which leave the CUDA context unusable for the rest of the process
    /// (cudaErrorIllegalAddress 700, cudaErrorLaunchFailure 719, cudaErrorIllegalInstruction 715,
    /// cudaErrorMisalignedAddress 716, cudaErrorHardwareStackError 714, cudaErrorECCUncorrectable 214) or say there
    /// is no device to use (cudaErrorNoDevice 100, cudaErrorDevicesUnavailable 46), each by its enum name and by
    /// the text <c>cudaGetErrorString</c> gives it, plus "device lost" and "fallen off the bus".
    /// </summary>
    public static IReadOnlyList<(string Fragment, string Meaning)> DeviceLostPatterns { get; } =
    [
        ("cudaErrorIllegalAddress", "an illegal memory access on the GPU (cudaErrorIllegalAddress)"),
        ("illegal memory access", "an illegal memory access on the GPU (cudaErrorIllegalAddress)"),
        ("cudaErrorLaunchFailure", "an unspecified launch failure on the GPU (cudaErrorLaunchFailure)"),
        ("unspecified launch failure", "an unspecified launch failure on the GPU (cudaErrorLaunchFailure)"),
        ("cudaErrorIllegalInstruction", "an illegal instruction on the GPU (cudaErrorIllegalInstruction)"),
        ("an illegal instruction was encountered", "an illegal instruction on the GPU (cudaErrorIllegalInstruction)"),
        ("cudaErrorMisalignedAddress", "a misaligned address on the GPU (cudaErrorMisalignedAddress)"),
        ("misaligned address", "a misaligned address on the GPU (cudaErrorMisalignedAddress)"),
        ("cudaErrorHardwareStackError", "a hardware stack error on the GPU (cudaErrorHardwareStackError)"),
        ("cudaErrorECCUncorrectable", "an uncorrectable ECC error on the GPU (cudaErrorECCUncorrectable)"),
        ("uncorrectable ECC error", "an uncorrectable ECC error on the GPU (cudaErrorECCUncorrectable)"),
        ("cudaErrorDevicesUnavailable", "the GPU is busy or unavailable (cudaErrorDevicesUnavailable)"),
        ("busy or unavailable", "the GPU is busy or unavailable (cudaErrorDevicesUnavailable)"),
        ("cudaErrorNoDevice", "no CUDA device is present (cudaErrorNoDevice)"),
        ("no CUDA-capable device", "no CUDA device is present (cudaErrorNoDevice)"),
        ("device lost", "the GPU was lost"),
        ("fallen off the bus", "the GPU has fallen off the bus"),
    ];

    /// <summary>Message fragments of running out of device memory (CUDA's, cuBLAS's, cuDNN's and ONNX Runtime's arena's).</summary>
    public static IReadOnlyList<string> OutOfMemoryPatterns { get; } =
        ["out of memory", "cudaErrorMemoryAllocation", "CUBLAS_STATUS_ALLOC_FAILED", "CUDNN_STATUS_ALLOC_FAILED", "Failed to allocate memory"];

    /// <summary>ONNX Runtime's status name in a message (<c>[ErrorCode:RuntimeException] …</c>), or null.</summary>
    public static string? ErrorCodeOf(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = ErrorCodePrefix().Match(message);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// The failure <paramref name="error"/> stands for: a <see cref="HypersphereException"/> of kind
    /// <see cref="ErrorKind.InvalidInput"/> for the input's fault, else an <see cref="InferenceFailureException"/>.
    /// </summary>
    /// <param name="error">ONNX Runtime's exception.</param>
    /// <param name="model">The model's public name (<c>name@version</c>).</param>
    /// <param name="provider">The execution provider the run was on.</param>
    /// <param name="batch">Images in the run.</param>
    public static HypersphereException Classify(OnnxRuntimeException error, string model, string provider, int batch)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message.ReplaceLineEndings(" ").Trim();
        var code = ErrorCodeOf(message) ?? "unknown";
        var where = $"model {model} could not run a batch of {batch} on {provider}";
        var cause = Cause(message);
        if (Find(message) is { } lost)
        {
            return new InferenceFailureException(
                DeviceFault.DeviceLost,
                $"{where}: {lost} (ONNX Runtime {code}{cause}); the device cannot be used again by this process, which reports itself not live so that it is restarted; retry later (another replica may serve)",
                30,
                error);
        }

        if (code == "InvalidArgument")
        {
            return new HypersphereException(ErrorKind.InvalidInput, $"{where}: the model refused the input: {WithoutPrefix(message)}", error);
        }

        if (OutOfMemoryPatterns.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            return new InferenceFailureException(
                DeviceFault.OutOfMemory,
                $"{where}: the device ran out of memory (ONNX Runtime {code}{cause}); this is the server's failure, not the request's; retry later, or with fewer images",
                1,
                error);
        }

        return new InferenceFailureException(
            DeviceFault.Runtime,
            $"{where}: ONNX Runtime failed ({code}{cause}); this is the server's failure, not the request's, and is in its log; retry later",
            5,
            error);
    }

    private static string? Find(string message) =>
        DeviceLostPatterns.FirstOrDefault(p => message.Contains(p.Fragment, StringComparison.OrdinalIgnoreCase)).Meaning;

    /// <summary>
    /// The error itself, as the CUDA execution provider puts it first (<c>CUDNN failure 4: CUDNN_STATUS_INTERNAL_ERROR ;
    /// GPU=0 ; hostname=… ; file=… ; line=… ; expr=…</c>): the part before the first <c>;</c>, unless it holds a
    /// path; never the host, file or expression.
    /// </summary>
    private static string Cause(string message)
    {
        var first = WithoutPrefix(message).Split(';', 2)[0].Trim();
        return first.Length == 0 || first.Length > 200 || first.Contains('/', StringComparison.Ordinal) || first.Contains('\\', StringComparison.Ordinal)
            ? string.Empty
            : $": {first}";
    }

    private static string WithoutPrefix(string message) => ErrorCodePrefix().Replace(message, string.Empty).Trim();

    [GeneratedRegex(@"^\s*\[ErrorCode:(\w+)\]")]
    private static partial Regex ErrorCodePrefix();
}
