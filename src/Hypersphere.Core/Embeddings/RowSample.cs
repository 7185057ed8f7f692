namespace Hypersphere.Core.Embeddings;

/// <summary>Seeded samples of rows, for the measures that cost too much on every row.</summary>
internal static class RowSample
{
    /// <summary><paramref name="count"/> distinct rows of <paramref name="n"/>, drawn uniformly with <paramref name="seed"/>, in increasing order.</summary>
    public static int[] Indices(int n, int count, int seed)
    {
        var all = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(all);
        var rows = all[..Math.Min(count, n)];
        Array.Sort(rows);
        return rows;
    }

    /// <summary>The rows <paramref name="rows"/> of a row-major matrix with <paramref name="cols"/> columns, copied in that order.</summary>
    public static double[] Gather(ReadOnlySpan<double> values, int cols, int[] rows)
    {
        var gathered = new double[rows.Length * cols];
        for (var r = 0; r < rows.Length; r++)
        {
            values.Slice(rows[r] * cols, cols).CopyTo(gathered.AsSpan(r * cols, cols));
        }

        return gathered;
    }
}
