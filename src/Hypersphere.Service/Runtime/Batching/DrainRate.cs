namespace Hypersphere.Service.Runtime.Batching;

/// <summary>
/// How fast queued images are being embedded (images per second of inference, decayed so that recent batches
/// count most), and so how long a queue of a given depth takes to drain: the <c>Retry-After</c> of a 429.
/// </summary>
internal sealed class DrainRate
{
    // Each batch keeps 80 % of the weight of what came before: about the last five batches decide.
    private const double Decay = 0.8;
    private const int MaxRetryAfterSeconds = 3_600;
    private readonly Lock _gate = new();
    private double _images;
    private double _seconds;

    /// <summary>Records a run of <paramref name="images"/> that took <paramref name="seconds"/>.</summary>
    public void Record(int images, double seconds)
    {
        lock (_gate)
        {
            _images = (_images * Decay) + images;
            _seconds = (_seconds * Decay) + seconds;
        }
    }

    /// <summary>Images per second, or 0 before the first run.</summary>
    public double ImagesPerSecond
    {
        get
        {
            lock (_gate)
            {
                return _seconds > 0 ? _images / _seconds : 0;
            }
        }
    }

    /// <summary>Whole seconds until <paramref name="queued"/> images have drained at the recent rate; at least 1 (also before any run).</summary>
    public int SecondsToDrain(long queued)
    {
        var rate = ImagesPerSecond;
        if (rate <= 0 || queued <= 0)
        {
            return 1;
        }

        return (int)Math.Clamp(Math.Ceiling(queued / rate), 1, MaxRetryAfterSeconds);
    }
}
