using System.Globalization;
using Hypersphere.Core.Errors;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference.Tests;

/// <summary>
/// The CUDA provider's options as ONNX Runtime documents them (CUDA-ExecutionProvider.html: the keys, and the values
/// EXHAUSTIVE/HEURISTIC/DEFAULT, kNextPowerOfTwo/kSameAsRequested, bytes, 0/1), and ONNX Runtime itself as the second
/// reader: what <c>OrtCUDAProviderOptions.UpdateOptions</c> accepts and <c>GetOptions</c> gives back.
/// </summary>
public sealed class CudaProviderSettingsTests
{
    [Fact]
    public void TheDefaultsAreHeuristicSearchSameAsRequestedNoLimitAndTheDefaultStreamUnderOnnxRuntimesKeys()
    {
        var options = new EncoderOptions().Cuda.ToProviderOptions(deviceId: 3);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "3",
                ["cudnn_conv_algo_search"] = "HEURISTIC",
                ["arena_extend_strategy"] = "kSameAsRequested",
                ["do_copy_in_default_stream"] = "1",
            },
            options);
    }

    [Fact]
    public void GivenValuesAreSpelledAsOnnxRuntimeSpellsThemWhateverTheirCase()
    {
        var options = new CudaProviderSettings(" exhaustive", "KNEXTPOWEROFTWO", 3L << 30, CopyInDefaultStream: false).ToProviderOptions(0);

        Assert.Equal("EXHAUSTIVE", options["cudnn_conv_algo_search"]);
        Assert.Equal("kNextPowerOfTwo", options["arena_extend_strategy"]);
        Assert.Equal("3221225472", options["gpu_mem_limit"]);
        Assert.Equal("0", options["do_copy_in_default_stream"]);
        Assert.Equal("DEFAULT", new CudaProviderSettings("Default").ToProviderOptions(0)["cudnn_conv_algo_search"]);
    }

    [Theory]
    [InlineData("FAST", "kSameAsRequested", 0, "cudnn_conv_algo_search must be one of EXHAUSTIVE, HEURISTIC, DEFAULT, but was 'FAST'")]
    [InlineData("HEURISTIC", "doubling", 0, "arena_extend_strategy must be one of kNextPowerOfTwo, kSameAsRequested, but was 'doubling'")]
    [InlineData("HEURISTIC", "kSameAsRequested", -1, "gpu_mem_limit must be at least 0 bytes (0 = no limit), but was -1")]
    public void ABadValueIsRefusedNamingTheOption(string search, string arena, long limit, string message)
    {
        var options = new EncoderOptions { Cuda = new CudaProviderSettings(search, arena, limit) };

        var error = Assert.Throws<HypersphereException>(options.Validate);

        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("HEURISTIC", "kSameAsRequested", 0L, true)]
    [InlineData("exhaustive", "kNextPowerOfTwo", 1L << 31, false)]
    [InlineData("DEFAULT", "kSameAsRequested", 123_456_789L, true)]
    public void OnnxRuntimeAcceptsTheOptionsAndReadsBackTheSameValues(string search, string arena, long limit, bool copyInDefaultStream)
    {
        var ours = new CudaProviderSettings(search, arena, limit, copyInDefaultStream).ToProviderOptions(deviceId: 0);
        using var cuda = ProviderOptionsOrSkip();

        cuda.UpdateOptions(ours);
        var read = Parse(cuda.GetOptions());

        foreach (var (key, value) in ours)
        {
            Assert.True(read.TryGetValue(key, out var back), $"ONNX Runtime's options [{cuda.GetOptions()}] have no {key}");
            Assert.Equal(value, back);
        }

        // Left out, the limit is ONNX Runtime's default: no limit (SIZE_MAX).
        Assert.Equal(limit == 0 ? ulong.MaxValue.ToString(CultureInfo.InvariantCulture) : limit.ToString(CultureInfo.InvariantCulture), read["gpu_mem_limit"]);
    }

    [SkippableFact]
    public void OnnxRuntimeItselfRefusesAValueItDoesNotKnow()
    {
        using var cuda = ProviderOptionsOrSkip();

        Assert.ThrowsAny<OnnxRuntimeException>(() => cuda.UpdateOptions(new Dictionary<string, string> { ["cudnn_conv_algo_search"] = "SLOWEST" }));
    }

    /// <summary>
    /// Provider options that ONNX Runtime has read our defaults into. Reading them loads the CUDA provider library, which
    /// needs CUDA 13's libraries (libcublasLt.so.13, …): where they are missing (machines without a GPU, such as this
    /// project's) ONNX Runtime cannot be the second reader, and the test skips.
    /// </summary>
    private static OrtCUDAProviderOptions ProviderOptionsOrSkip()
    {
        _ = OrtEnv.Instance(); // the options log through the environment's logger, as OnnxSessionFactory knows
        var cuda = new OrtCUDAProviderOptions();
        try
        {
            cuda.UpdateOptions(CudaProviderSettings.Default.ToProviderOptions(0));
            return cuda;
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("Failed to load library", StringComparison.Ordinal))
        {
            cuda.Dispose();
            throw new SkipException($"ONNX Runtime cannot load its CUDA provider here, so it cannot read the options: {e.Message}");
        }
    }

    // GetOptions gives "key=value;key=value;…".
    private static Dictionary<string, string> Parse(string options) => options
        .Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(kv => kv[0].Trim(), kv => kv.Length > 1 ? kv[1].Trim() : string.Empty, StringComparer.Ordinal);
}
