using TorchSharp;

namespace Hypersphere.Training;

/// <summary>Device and thread settings for libtorch, chosen once per process.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Parses <c>cpu</c> or <c>cuda</c> (optionally <c>cuda:N</c>) and checks the device exists.
    /// </summary>
    public static torch.Device Device(string name)
    {
        if (name.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
        {
            throw Core.Errors.HypersphereException.Invalid(
                $"device '{name}' was asked for, but this libtorch build has no usable CUDA device; use --device cpu");
        }

        return name.ToLowerInvariant() switch
        {
            "cpu" => torch.CPU,
            var cuda when cuda.StartsWith("cuda", StringComparison.Ordinal) => torch.device(cuda),
            _ => throw Core.Errors.HypersphereException.Invalid($"device must be 'cpu' or 'cuda[:N]', but was '{name}'"),
        };
    }

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
