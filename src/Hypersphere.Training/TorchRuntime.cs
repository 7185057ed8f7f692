using TorchSharp;

namespace Hypersphere.Training;

/// <summary>Device and thread settings for libtorch, chosen once per process.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// The libtorch this build carries: <c>cpu</c> (libtorch-cpu-linux-x64, the default) or <c>cuda</c>
    /// (libtorch-cuda-12.8-linux-x64, built with <c>-p:TorchFlavour=cuda</c>).
    /// </summary>
    public const string Flavour =
#if TORCH_CUDA
        "cuda";
#else
        "cpu";
#endif

    /// <summary>
    /// Parses <c>cpu</c> or <c>cuda</c> (optionally <c>cuda:N</c>) and checks the device exists.
    /// </summary>
    public static torch.Device Device(string name)
    {
        if (name.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
        {
            throw Core.Errors.HypersphereException.Invalid(NoCudaMessage(name, Flavour));
        }

        return name.ToLowerInvariant() switch
        {
            "cpu" => torch.CPU,
            var cuda when cuda.StartsWith("cuda", StringComparison.Ordinal) => torch.device(cuda),
            _ => throw Core.Errors.HypersphereException.Invalid($"device must be 'cpu' or 'cuda[:N]', but was '{name}'"),
        };
    }

    /// <summary>
    /// Why <c>--device cuda</c> cannot run, and what to install: a CPU build needs the CUDA flavour; a CUDA build needs
    /// a visible GPU and a driver for CUDA 12.8 (docs/deployment.md, "A trainer on a GPU").
    /// </summary>
    internal static string NoCudaMessage(string device, string flavour) => flavour == "cuda"
        ? $"device '{device}' was asked for, but libtorch (CUDA 12.8) sees no usable CUDA device: it needs an NVIDIA GPU "
          + "visible to the process (docker run --gpus, or a nvidia.com/gpu limit) and a driver R570 or newer; use --device cpu otherwise"
        : $"device '{device}' was asked for, but this build carries libtorch for the CPU only: build the CLI with "
          + "-p:TorchFlavour=cuda (libtorch-cuda-12.8-linux-x64) or use the trainer-gpu image (docker build --target trainer-gpu); "
          + "use --device cpu otherwise";

    /// <summary>
    /// Prepares libtorch for a command: its intra-op threads (0 keeps libtorch's default), and a warning on
    /// <paramref name="warnings"/> when <see cref="OneDnnGuard"/> had to turn oneDNN off on this processor.
    /// </summary>
    public static void Prepare(int threads, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (OneDnnGuard.FallbackReason is { } reason)
        {
            warnings.WriteLine($"warning: {reason}");
        }

        SetThreads(threads);
    }

    /// <summary>Sets libtorch's intra-op threads (0 keeps libtorch's default).</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }
}
