namespace Hypersphere.Reports;

/// <summary>Equal-width bins over [<see cref="Low"/>, <see cref="High"/>]: bin k holds v with Low + k·w ≤ v &lt; Low + (k+1)·w, the last bin also holds High.</summary>
internal sealed class Histogram
{
    private Histogram(double low, double high, long[] counts, long outside)
    {
        Low = low;
        High = high;
        Counts = counts;
        Outside = outside;
    }

    public double Low { get; }

    public double High { get; }

    public double Width => (High - Low) / Counts.Length;

    public long[] Counts { get; }

    /// <summary>Values outside [Low, High] (not counted in any bin).</summary>
    public long Outside { get; }

    public long Total => Counts.Sum() + Outside;

    public double Center(int k) => Low + ((k + 0.5) * Width);

    /// <summary>Count of bin k / (total · width): integrates to the fraction of values inside the range.</summary>
    public double Density(int k) => Total == 0 ? 0 : Counts[k] / (Total * Width);

    public static Histogram Of(ReadOnlySpan<double> values, double low, double high, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!(high > low))
        {
            throw new ArgumentException($"histogram range [{low}, {high}] is empty");
        }

        var counts = new long[bins];
        long outside = 0;
        var scale = bins / (high - low);
        foreach (var v in values)
        {
            if (!(v >= low && v <= high))
            {
                outside++;
                continue;
            }

            var k = (int)((v - low) * scale);
            counts[Math.Min(k, bins - 1)]++;
        }

        return new Histogram(low, high, counts, outside);
    }
}
