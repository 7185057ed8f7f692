using Hypersphere.Service.Runtime.Batching;
using Hypersphere.Service.Runtime.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// A batch runner that counts runs and their sizes and, while closed, holds each run until <see cref="Open"/>:
/// a slow model, so tests can fill queues, pass timeouts and stop the host mid-request.
/// </summary>
internal sealed class GatedRunner : IDisposable
{
    private readonly ManualResetEventSlim _gate;
    private readonly SemaphoreSlim _entered = new(0);
    private readonly List<int> _sizes = [];
    private readonly BatchRunner _run;

    /// <summary>A runner, closed unless <paramref name="open"/>, that runs the model, or <paramref name="run"/> when given.</summary>
    public GatedRunner(bool open = false, BatchRunner? run = null)
    {
        _gate = new ManualResetEventSlim(open);
        _run = run ?? ((model, pixels, count) => model.Encoder.Embed(pixels, count));
    }

    /// <summary>Images per run, in run order.</summary>
    public IReadOnlyList<int> Sizes
    {
        get
        {
            lock (_sizes)
            {
                return _sizes.ToArray();
            }
        }
    }

    /// <summary>Replaces the app's runner with this one.</summary>
    public void Install(IServiceCollection services) => services.AddSingleton<BatchRunner>(Run);

    /// <summary>Waits until a run has started (and is held, while closed).</summary>
    public Task<bool> WaitForRunAsync() => WaitForRunAsync(TimeSpan.FromSeconds(30));

    /// <summary>Waits up to <paramref name="timeout"/> until a run has started: false if none did.</summary>
    public Task<bool> WaitForRunAsync(TimeSpan timeout) => _entered.WaitAsync(timeout);

    /// <summary>Lets held and later runs go.</summary>
    public void Open() => _gate.Set();

    public void Dispose()
    {
        _gate.Set();
        _entered.Dispose();
    }

    private float[] Run(LoadedModel model, ReadOnlySpan<float> pixels, int count)
    {
        lock (_sizes)
        {
            _sizes.Add(count);
        }

        _entered.Release();
        _gate.Wait(TimeSpan.FromSeconds(30));
        return _run(model, pixels, count);
    }
}
