using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference;

/// <summary>
/// Opens ONNX Runtime sessions on the chosen execution provider. CUDA is judged by trying it, not by
/// <c>OrtEnv.GetAvailableProviders()</c>: the GPU package lists CUDA on every machine, and only appending
/// the provider (which loads CUDA 13 / cuDNN 9) or creating the session (which needs a device) tells.
/// </summary>
internal static partial class OnnxSessionFactory
{
    /// <summary>Opens <paramref name="onnxPath"/>; ONNX Runtime failures become <see cref="HypersphereException"/>s.</summary>
    public static (InferenceSession Session, ExecutionProviderInfo Provider) Open(string onnxPath, EncoderOptions options)
    {
        options.Validate();
        if (options.Provider == ExecutionProviderChoice.Cpu)
        {
            return (OpenOnCpu(onnxPath, options), new ExecutionProviderInfo(ExecutionProviders.Cpu, options.Provider, null));
        }

        var (session, cudaFailure) = TryOpenOnCuda(onnxPath, options);
        if (session is not null)
        {
            return (session, new ExecutionProviderInfo(ExecutionProviders.Cuda, options.Provider, null));
        }

        // The CPU session both serves auto and tells a broken model (it fails on CPU too → Corrupt)
        // from a machine without CUDA (it loads on CPU → the CUDA failure is the machine's).
        var cpu = OpenOnCpu(onnxPath, options);
        if (options.Provider == ExecutionProviderChoice.Cuda)
        {
            cpu.Dispose();
            throw new HypersphereException(
                ErrorKind.NotReady,
                $"the CUDA execution provider was requested, but it cannot be used here: {cudaFailure} (set {options.ProviderSetting} to auto or cpu to run on the CPU)");
        }

        return (cpu, new ExecutionProviderInfo(ExecutionProviders.Cpu, options.Provider, cudaFailure));
    }

    private static (InferenceSession? Session, string? Failure) TryOpenOnCuda(string onnxPath, EncoderOptions options)
    {
        using var sessionOptions = NewOptions(options);
        try
        {
            // UpdateOptions logs through ONNX Runtime's default logger, which the environment creates: without it, the
            // first load of a process fails with "Attempt to use DefaultLogger but none has been registered".
            // The provider copies its options when it is appended, so they are disposed right after.
            _ = OrtEnv.Instance();
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(options.Cuda.ToProviderOptions(options.DeviceId));
            sessionOptions.AppendExecutionProvider_CUDA(cuda);
        }
        catch (OnnxRuntimeException e)
        {
            return (null, $"appending CUDA device {options.DeviceId} failed (CUDA 13 and cuDNN 9 are needed): {ProviderFailure(e.Message)}{MissingCudaLibrary()}");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, $"the CUDA provider library could not be loaded: {OneLine(e.Message)}");
        }

        try
        {
            return (new InferenceSession(onnxPath, sessionOptions), null);
        }
        catch (OnnxRuntimeException e)
        {
            return (null, $"creating a session on CUDA device {options.DeviceId} failed: {OneLine(e.Message)}");
        }
    }

    /// <summary>Opens <paramref name="onnxPath"/> on the CPU; an ONNX Runtime failure is <see cref="ErrorKind.Corrupt"/>.</summary>
    public static InferenceSession OpenOnCpu(string onnxPath, EncoderOptions options)
    {
        using var sessionOptions = NewOptions(options);
        try
        {
            return new InferenceSession(onnxPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new HypersphereException(ErrorKind.Corrupt, $"ONNX Runtime cannot load '{onnxPath}': {OneLine(e.Message)}", e);
        }
    }

    // The session copies its options when it is created, so they are disposed right after.
    private static SessionOptions NewOptions(EncoderOptions options)
    {
        var session = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", options.IntraOpSpinning ? "1" : "0");
        return session;
    }

    /// <summary>
    /// ONNX Runtime's exception only says "Failed to load shared library"; which dependency is missing
    /// (libcublasLt.so.13, libcudnn.so.9, …) it logs, but does not return. Loading the provider library
    /// the same way gets the loader's own message.
    /// </summary>
    private static string MissingCudaLibrary()
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load("onnxruntime_providers_cuda", typeof(InferenceSession).Assembly, null));
            return string.Empty;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            var missing = MissingSharedObject().Match(e.Message);
            return missing.Success ? $" ({missing.Value})" : string.Empty;
        }
    }

    [GeneratedRegex(@"lib[\w.+-]+\.so[\w.]*: cannot open shared object file")]
    private static partial Regex MissingSharedObject();

    /// <summary>
    /// ONNX Runtime's words for a provider that could not be set up. Reading the provider options loads the provider
    /// library, and that failure's message names ONNX Runtime's source file and the library's path, which the reason
    /// (shown by the service's <c>/healthz/ready</c>) must not: it is cut to what failed, and the missing dependency is
    /// added by <see cref="MissingCudaLibrary"/>.
    /// </summary>
    private static string ProviderFailure(string message) =>
        message.Contains("Failed to load library", StringComparison.Ordinal) || message.Contains("Failed to load shared library", StringComparison.Ordinal)
            ? $"[ErrorCode:{RunFailures.ErrorCodeOf(message) ?? "Fail"}] the CUDA provider library failed to load"
            : OneLine(message);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
