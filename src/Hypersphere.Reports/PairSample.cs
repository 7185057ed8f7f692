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

        // Indices drawn with replacement, duplicates dropped, and the missing ones drawn again until there are
        // maxPairs distinct: every maxPairs-subset of [0, total) is equally likely (the procedure does not depend on
        // how the indices are labelled). The distinct ones are kept sorted (for the rows' order in the dot products);
        // each redraw sorts only its own few draws and merges them in, in one linear pass.
        var random = new Random(seed);
        var chosen = new long[maxPairs];
        for (var k = 0; k < maxPairs; k++)
        {
            chosen[k] = random.NextInt64(total);
        }

        SortUniform(chosen, total);
        var count = Distinct(chosen, maxPairs);
        var merged = new long[maxPairs];
        while (count < maxPairs)
        {
            var missing = maxPairs - count;
            var draws = new long[missing];
            for (var k = 0; k < missing; k++)
            {
                draws[k] = random.NextInt64(total);
            }

            Array.Sort(draws);
            count = MergeDistinct(chosen.AsSpan(0, count), draws, merged);
            (chosen, merged) = (merged, chosen);
        }

        // Ranks to pairs (sorted ranks give pairs in row order, for the rows' locality in the dot products).
        var pairs = new (int, int)[maxPairs];
        for (var k = 0; k < maxPairs; k++)
        {
            pairs[k] = Unrank(chosen[k], n);
        }

        return pairs;
    }

    /// <summary>
    /// Sorts values drawn uniformly from [0, <paramref name="total"/>) in linear expected time: a counting sort into
    /// as many buckets as values (x·(buckets/total) is monotone in x, so the buckets are in order), then insertion sort
    /// within each bucket, which holds one value on average. Array.Sort took ~30 ms for 200 000 here.
    /// </summary>
    private static void SortUniform(long[] values, long total)
    {
        var buckets = values.Length;
        var scale = buckets / (double)total;
        var starts = new int[buckets + 1];
        foreach (var v in values)
        {
            starts[Bucket(v) + 1]++;
        }

        for (var b = 0; b < buckets; b++)
        {
            starts[b + 1] += starts[b];
        }

        var sorted = new long[values.Length];
        var next = (int[])starts.Clone();
        foreach (var v in values)
        {
            sorted[next[Bucket(v)]++] = v;
        }

        for (var b = 0; b < buckets; b++)
        {
            for (var k = starts[b] + 1; k < starts[b + 1]; k++)
            {
                var v = sorted[k];
                var j = k - 1;
                while (j >= starts[b] && sorted[j] > v)
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }

                sorted[j + 1] = v;
            }
        }

        sorted.CopyTo(values, 0);

        int Bucket(long v) => Math.Min(buckets - 1, (int)(v * scale));
    }

    /// <summary>Moves the distinct values of the sorted <paramref name="values"/>[..<paramref name="length"/>] to the front; returns how many.</summary>
    private static int Distinct(long[] values, int length)
    {
        var count = 0;
        for (var k = 0; k < length; k++)
        {
            if (count == 0 || values[k] != values[count - 1])
            {
                values[count++] = values[k];
            }
        }

        return count;
    }

    /// <summary>Merges two sorted runs into <paramref name="into"/> without repeats; returns the length written.</summary>
    private static int MergeDistinct(ReadOnlySpan<long> a, ReadOnlySpan<long> b, long[] into)
    {
        int i = 0, j = 0, count = 0;
        while (i < a.Length || j < b.Length)
        {
            var next = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (count == 0 || next != into[count - 1])
            {
                into[count++] = next;
            }
        }

        return count;
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
