using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hypersphere.Service.Errors;

/// <summary>
/// Lets one log entry per key through each interval and counts the ones it holds back, so a client that sends
/// thousands of bad or rejected requests a second costs a line a second, not a line a request. (Every request is
/// counted in the metrics regardless.)
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private readonly ConcurrentDictionary<int, Window> _windows = new();
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Whether an entry for <paramref name="key"/> may be written now; if so, how many were held back since the last one.</summary>
    public bool TryEnter(int key, out long suppressed)
    {
        var window = _windows.GetOrAdd(key, _ => new Window());
        var now = Stopwatch.GetTimestamp();
        var last = Volatile.Read(ref window.LastTicks);
        if (last != 0 && now - last < _intervalTicks)
        {
            Interlocked.Increment(ref window.Suppressed);
            suppressed = 0;
            return false;
        }

        if (Interlocked.CompareExchange(ref window.LastTicks, now, last) != last)
        {
            Interlocked.Increment(ref window.Suppressed); // another thread took this window's entry
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref window.Suppressed, 0);
        return true;
    }

    private sealed class Window
    {
        public long LastTicks;
        public long Suppressed;
    }
}
