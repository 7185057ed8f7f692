using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Training;

/// <summary>
/// Makes sure libtorch's convolutions compute what they should on this processor before anything is trained,
/// evaluated or exported. On some machines (seen on an AMD EPYC with AVX-512, libtorch 2.10 / oneDNN 3.7.1)
/// oneDNN's JIT convolutions with a bias give wrong results when the input channels are not a multiple of 16 and
/// the batch has more than one image: errors of order 1, so training turns to NaN and exports fail their verification. The
/// check runs a few such convolutions, forward and backward, in float32 (oneDNN) and compares them with float64
/// (libtorch's own kernels, which oneDNN does not handle); if they disagree it turns oneDNN off for the process
/// (about half the training speed, but right) and says why in <see cref="FallbackReason"/>.
/// <c>HYPERSPHERE_ONEDNN=on|off</c> skips the check and forces the choice.
/// </summary>
public static class OneDnnGuard
{
    // Shapes that exercise the channel-tail kernels: (batch, in channels, out channels, height and width).
    private static readonly (int N, int In, int Out, int Size)[] Probes = [(4, 24, 16, 7), (2, 40, 48, 13), (3, 3, 24, 16)];
    private const double Tolerance = 1e-3;

    private static readonly Lazy<string?> Outcome = new(Check, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why oneDNN is off in this process, or null while it is on (running the check first if it has not run).</summary>
    public static string? FallbackReason => Outcome.Value;

    /// <summary>
    /// Runs the check once per process; every path that builds an encoder or prepares libtorch for a command calls it
    /// first (<see cref="Models.SmallAlexNet"/>, <see cref="TorchRuntime.Prepare"/>), so no convolution runs before it.
    /// </summary>
    public static void Ensure() => _ = Outcome.Value;

    private static string? Check()
    {
        try
        {
            // NNPACK is libtorch's convolution path after oneDNN; on processors it does not support (as here) every
            // convolution that reaches it prints "Could not initialize NNPACK". Off: im2col + GEMM is what remains.
            torch.InitializeDeviceType(DeviceType.CPU);
            SetUserEnabledNnpack(GlobalContext(), false);
            switch (Environment.GetEnvironmentVariable("HYPERSPHERE_ONEDNN")?.ToLowerInvariant())
            {
                case "on":
                    return null;
                case "off":
                    return Disable("HYPERSPHERE_ONEDNN=off");
            }

            // NaN (the broken kernels can produce it) counts as wrong.
            if (WorstError() is var error && !(error <= Tolerance))
            {
                var how = double.IsPositiveInfinity(error) ? "give NaN" : string.Create(CultureInfo.InvariantCulture, $"differ from float64 by up to {error:G3}");
                return Disable($"oneDNN's float32 convolutions {how} on this processor; libtorch's own kernels are used instead (about half the speed)");
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libtorch build without these symbols: leave it as it is.
        }

        return null;
    }

    /// <summary>The largest difference between a float32 and a float64 convolution (values and gradients) over the probe shapes; infinity for NaN.</summary>
    public static double WorstError()
    {
        // The float64 side never goes through oneDNN (it has no float64 kernels), whatever the guard decided.
        using var scope = NewDisposeScope();
        using var generator = new Generator(20261203);
        var worst = 0.0;
        foreach (var (n, cin, cout, size) in Probes)
        {
            var x = randn([n, cin, size, size], dtype: ScalarType.Float64, generator: generator);
            var w = (randn([cout, cin, 3, 3], dtype: ScalarType.Float64, generator: generator) * 0.1).requires_grad_();
            var b = randn([cout], dtype: ScalarType.Float64, generator: generator);
            var w32 = w.detach().to_type(ScalarType.Float32).requires_grad_();
            var y = nn.functional.conv2d(x, w, b, padding: [1, 1]);
            var y32 = nn.functional.conv2d(x.to_type(ScalarType.Float32), w32, b.to_type(ScalarType.Float32), padding: [1, 1]);
            y.square().sum().backward();
            y32.square().sum().backward();
            var values = (y32.to_type(ScalarType.Float64) - y).abs().max().item<double>();
            var gradients = ((w32.grad!.to_type(ScalarType.Float64) - w.grad!).abs().max() / w.grad!.abs().max().clamp_min(1e-12)).item<double>();
            worst = double.IsNaN(values) || double.IsNaN(gradients) ? double.PositiveInfinity : Math.Max(worst, Math.Max(values, gradients));
        }

        return worst;
    }

    private static string Disable(string reason)
    {
        SetUserEnabledMkldnn(GlobalContext(), false);
        return reason;
    }

    // at::globalContext().setUserEnabledMkldnn(bool): what torch.backends.mkldnn.enabled sets in Python;
    // TorchSharp does not expose it, libtorch_cpu exports it.
    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
