namespace Hypersphere.Reports;

/// <summary>
/// Pairs i &lt; j of N rows: all of them when there are at most a given number, otherwise a seeded
/// sample drawn uniformly without replacement from the N(N−1)/2 pairs (no pair twice, never i = j).
/// </summary>
public static class PairSample
{
    /// <summary>Number of pairs i &lt; j among <paramref name="n"/> rows.</summary>
    public static long PairCount(int n) => (long)n * (n - 1) / 2;

    /// <summary>
    /// The pairs to use for <paramref name="n"/> rows: every pair (in order) when N(N−1)/2 ≤
    /// <paramref name="maxPairs"/>, otherwise <paramref name="maxPairs"/> distinct pairs drawn
    /// uniformly with <paramref name="seed"/>, sorted. Same arguments, same pairs.
    /// </summary>
    public static (int I, int J)[] Draw(int n, int maxPairs, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        var total = PairCount(n);
        if (total <= maxPairs)
        {
            var all = new (int, int)[total];
            var k = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    all[k++] = (i, j);
                }
            }

            return all;
        }

        // Indices drawn with replacement, sorted, duplicates dropped, and the missing ones drawn again until there
        // are maxPairs distinct: every maxPairs-subset of [0, total) is equally likely (the procedure does not
        // depend on how the indices are labelled), and sorting keeps the rows in order for the dot products.
        var random = new Random(seed);
        var chosen = new long[maxPairs];
        var count = 0;
        while (count < maxPairs)
        {
            for (var k = count; k < maxPairs; k++)
            {
                chosen[k] = random.NextInt64(total);
            }

            Array.Sort(chosen);
            count = 0;
            for (var k = 0; k < maxPairs; k++)
            {
                if (count == 0 || chosen[k] != chosen[count - 1])
                {
                    chosen[count++] = chosen[k];
                }
            }

            // The sorted distinct ones stay in front; the rest of the array is drawn again (and sorted in).
        }

        // Sorted ranks map to pairs by walking the rows once: row i holds ranks [start(i), start(i + 1)).
        var pairs = new (int, int)[maxPairs];
        long row = 0, rowStart = 0, nextStart = n - 1;
        for (var k = 0; k < maxPairs; k++)
        {
            var index = chosen[k];
            while (index >= nextStart)
            {
                row++;
                rowStart = nextStart;
                nextStart += n - 1 - row;
            }

            pairs[k] = ((int)row, (int)(index - rowStart + row + 1));
        }

        return pairs;
    }

    /// <summary>
    /// The pair with rank <paramref name="index"/> in the order (0,1), (0,2), …, (0,N−1), (1,2), …:
    /// row i starts at rank i·N − i(i+1)/2.
    /// </summary>
    internal static (int I, int J) Unrank(long index, int n)
    {
        // Solve for the largest i with start(i) ≤ index, from the quadratic, then correct rounding.
        var b = (2.0 * n) - 1;
        var i = (long)Math.Floor((b - Math.Sqrt((b * b) - (8.0 * index))) / 2);
        i = Math.Clamp(i, 0, n - 2);
        while (i > 0 && Start(i, n) > index)
        {
            i--;
        }

        while (i < n - 2 && Start(i + 1, n) <= index)
        {
            i++;
        }

        var j = index - Start(i, n) + i + 1;
        return ((int)i, (int)j);
    }

    private static long Start(long i, int n) => (i * n) - (i * (i + 1) / 2);
}
