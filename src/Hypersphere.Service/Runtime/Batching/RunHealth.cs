using System.Collections.Concurrent;
using Hypersphere.Inference;
using Hypersphere.Service.Hosting;
using Microsoft.Extensions.Options;

namespace Hypersphere.Service.Runtime.Batching;

/// <summary>
/// What the runs of each model version say about the device: the streak of consecutive runs that failed for the
/// server's reasons (<see cref="InferenceFailureException"/>; a failure of the input's does not count, nor break a
/// streak), reset by the next run that succeeds, and whether a run said the device is gone for good
/// (<see cref="DeviceFault.DeviceLost"/>, which no later success clears: the CUDA context is broken for the rest
/// of the process). The readiness probe fails while any version's streak is at
/// <see cref="HypersphereOptions.RunFailureThreshold"/> or more; the liveness probe fails once the device is lost.
/// </summary>
public sealed class RunHealth(IOptions<HypersphereOptions> options)
{
    private readonly ConcurrentDictionary<string, Streak> _streaks = new(StringComparer.Ordinal);
    private readonly int _threshold = options?.Value.RunFailureThreshold ?? throw new ArgumentNullException(nameof(options));
    private string? _deviceLost;

    /// <summary>Consecutive device failures that make the service unready.</summary>
    public int Threshold => _threshold;

    /// <summary>Why the device is gone for good (the first such failure's public message), or null while it is not.</summary>
    public string? DeviceLost => Volatile.Read(ref _deviceLost);

    /// <summary>Records a run of <paramref name="model"/> that succeeded: its streak ends.</summary>
    public void Succeeded(string model)
    {
        if (_streaks.TryGetValue(model, out var streak))
        {
            lock (streak)
            {
                streak.Count = 0;
                streak.LastError = null;
            }
        }
    }

    /// <summary>Forgets <paramref name="model"/>'s streak: its session was retired (a lost device is not forgotten).</summary>
    public void Forget(string model) => _streaks.TryRemove(model, out _);

    /// <summary>Records a run of <paramref name="model"/> that failed for the server's reasons.</summary>
    public void Failed(string model, InferenceFailureException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var streak = _streaks.GetOrAdd(model, _ => new Streak());
        lock (streak)
        {
            streak.Count++;
            streak.LastError = failure.Message;
        }

        if (failure.Fault == DeviceFault.DeviceLost)
        {
            Interlocked.CompareExchange(ref _deviceLost, failure.Message, null);
        }
    }

    /// <summary>The versions whose streak is at the threshold or more, with the streak and the last failure.</summary>
    public IReadOnlyList<FailingModel> Failing()
    {
        var failing = new List<FailingModel>();
        foreach (var (model, streak) in _streaks)
        {
            lock (streak)
            {
                if (streak.Count >= _threshold)
                {
                    failing.Add(new FailingModel(model, streak.Count, streak.LastError ?? string.Empty));
                }
            }
        }

        return failing.OrderBy(f => f.Model, StringComparer.Ordinal).ToArray();
    }

    private sealed class Streak
    {
        public int Count;
        public string? LastError;
    }
}

/// <summary>A model version whose runs keep failing on the device.</summary>
/// <param name="Model"><c>name@version</c>.</param>
/// <param name="ConsecutiveFailures">Runs in a row that failed for the server's reasons.</param>
/// <param name="LastError">The last one's public message.</param>
public sealed record FailingModel(string Model, int ConsecutiveFailures, string LastError);
