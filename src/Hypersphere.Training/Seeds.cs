namespace Hypersphere.Training;

/// <summary>Derives independent, reproducible seeds from a run seed and coordinates (epoch, batch, …).</summary>
public static class Seeds
{
    /// <summary>A SplitMix64-style hash of the run seed and the coordinates, folded to a non-negative int.</summary>
    public static int Mix(long seed, params int[] coordinates)
    {
        var state = unchecked((ulong)seed);
        foreach (var c in coordinates)
        {
            state = Scramble(state ^ Scramble(unchecked((ulong)c + 0x9E3779B97F4A7C15UL)));
        }

        return (int)(Scramble(state) >> 33);
    }

    private static ulong Scramble(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
