using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference;

/// <summary>
/// The host memory a bound run (<see cref="OnnxEncoder"/>'s IOBinding path) puts its input in and gets its outputs
/// back in. On CUDA it is the provider's pinned (page-locked) host memory, <c>CudaPinned</c>, from the session's own
/// allocator: the device copies it by DMA, without the staging copy pageable memory needs. On the CPU (tests) it is
/// ONNX Runtime's default CPU memory, so the same binding code runs where there is no GPU.
/// </summary>
internal sealed class HostBinding : IDisposable
{
    private readonly bool _owned;

    private HostBinding(OrtMemoryInfo memory, OrtAllocator allocator, bool owned)
    {
        Memory = memory;
        Allocator = allocator;
        _owned = owned;
    }

    /// <summary>Where the input tensor lives and the outputs are bound.</summary>
    public OrtMemoryInfo Memory { get; }

    /// <summary>Allocates the input tensor in <see cref="Memory"/>.</summary>
    public OrtAllocator Allocator { get; }

    /// <summary>
    /// Pinned host memory of CUDA device <paramref name="deviceId"/> for a session on <see cref="ExecutionProviders.Cuda"/>,
    /// else CPU memory. ONNX Runtime refuses (an <see cref="OnnxRuntimeException"/>) when the session has no such allocator.
    /// </summary>
    public static HostBinding For(InferenceSession session, string provider, int deviceId)
    {
        if (provider != ExecutionProviders.Cuda)
        {
            return new HostBinding(OrtMemoryInfo.DefaultInstance, OrtAllocator.DefaultInstance, owned: false);
        }

        var pinned = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.CpuOutput);
        try
        {
            return new HostBinding(pinned, new OrtAllocator(session, pinned), owned: true);
        }
        catch
        {
            pinned.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_owned)
        {
            Allocator.Dispose();
            Memory.Dispose();
        }
    }
}
