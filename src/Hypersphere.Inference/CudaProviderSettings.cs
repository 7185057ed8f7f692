using System.Globalization;
using Hypersphere.Core.Errors;

namespace Hypersphere.Inference;

/// <summary>
/// The CUDA execution provider's options this project sets, under ONNX Runtime's own names and values (its
/// CUDA-ExecutionProvider documentation); applied through <c>OrtCUDAProviderOptions.UpdateOptions</c>. Values are
/// accepted in any case and passed in ONNX Runtime's spelling, which it compares exactly.
/// </summary>
/// <param name="ConvAlgoSearch">
/// <c>cudnn_conv_algo_search</c>: how cuDNN picks a convolution algorithm for each input shape. <c>HEURISTIC</c> (the
/// default here; ONNX Runtime's is <c>EXHAUSTIVE</c>) asks cuDNN's heuristics, quick and without trial allocations;
/// <c>EXHAUSTIVE</c> times every algorithm on the first run of each shape; <c>DEFAULT</c> takes one fixed algorithm.
/// </param>
/// <param name="ArenaExtendStrategy">
/// <c>arena_extend_strategy</c>: <c>kSameAsRequested</c> (the default here) grows the device arena by what a run asks,
/// <c>kNextPowerOfTwo</c> (ONNX Runtime's default) by powers of two, which can reserve up to twice what runs need.
/// </param>
/// <param name="MemoryLimitBytes"><c>gpu_mem_limit</c>: most bytes the device arena may hold; 0 (the default) leaves ONNX Runtime's default, no limit.</param>
/// <param name="CopyInDefaultStream"><c>do_copy_in_default_stream</c>: copy on the compute stream (true, ONNX Runtime's default) or on separate streams, which its documentation warns may race for some models.</param>
public sealed record CudaProviderSettings(
    string ConvAlgoSearch = "HEURISTIC", string ArenaExtendStrategy = "kSameAsRequested", long MemoryLimitBytes = 0, bool CopyInDefaultStream = true)
{
    /// <summary>ONNX Runtime's values of <c>cudnn_conv_algo_search</c>.</summary>
    public static readonly IReadOnlyList<string> ConvAlgoSearchValues = ["EXHAUSTIVE", "HEURISTIC", "DEFAULT"];

    /// <summary>ONNX Runtime's values of <c>arena_extend_strategy</c>.</summary>
    public static readonly IReadOnlyList<string> ArenaExtendStrategyValues = ["kNextPowerOfTwo", "kSameAsRequested"];

    /// <summary>The defaults above.</summary>
    public static CudaProviderSettings Default { get; } = new();

    /// <summary>Refuses values ONNX Runtime does not know and a negative memory limit, naming the option (<see cref="ErrorKind.InvalidInput"/>).</summary>
    public void Validate()
    {
        Spelled(ConvAlgoSearch, ConvAlgoSearchValues, "cudnn_conv_algo_search");
        Spelled(ArenaExtendStrategy, ArenaExtendStrategyValues, "arena_extend_strategy");
        if (MemoryLimitBytes < 0)
        {
            throw HypersphereException.Invalid($"CUDA option gpu_mem_limit must be at least 0 bytes (0 = no limit), but was {MemoryLimitBytes}");
        }
    }

    /// <summary>The key/value pairs for <c>OrtCUDAProviderOptions.UpdateOptions</c> on <paramref name="deviceId"/>.</summary>
    public Dictionary<string, string> ToProviderOptions(int deviceId)
    {
        Validate();
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = Spelled(ConvAlgoSearch, ConvAlgoSearchValues, "cudnn_conv_algo_search"),
            ["arena_extend_strategy"] = Spelled(ArenaExtendStrategy, ArenaExtendStrategyValues, "arena_extend_strategy"),
            ["do_copy_in_default_stream"] = CopyInDefaultStream ? "1" : "0",
        };
        if (MemoryLimitBytes > 0)
        {
            options["gpu_mem_limit"] = MemoryLimitBytes.ToString(CultureInfo.InvariantCulture);
        }

        return options;
    }

    private static string Spelled(string? value, IReadOnlyList<string> allowed, string option) =>
        allowed.FirstOrDefault(a => string.Equals(a, value?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw HypersphereException.Invalid($"CUDA option {option} must be one of {string.Join(", ", allowed)}, but was '{value}'");
}
