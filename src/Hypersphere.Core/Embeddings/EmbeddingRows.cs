namespace Hypersphere.Core.Embeddings;

/// <summary>
/// Validated unit-norm embeddings that the metrics read by row or in blocks of rows, as float64: an
/// <see cref="EmbeddingMatrix"/> in memory, or a memory-mapped <c>.npy</c> file larger than memory
/// (<see cref="IO.MappedEmbeddings"/>). Every metric runs the same code on either, so a file gives the same bits
/// streamed or loaded (docs/architecture.md §1).
/// </summary>
public abstract class EmbeddingRows
{
    /// <summary>Rows a block read by the O(N·d) passes covers.</summary>
    internal const int PassBlock = 4096;

    /// <summary>The normalised singular-value spectrum, once computed (the rows never change).</summary>
    private double[]? _spectrum;

    /// <summary>Sets the shape.</summary>
    private protected EmbeddingRows(int rows, int dim) => (Rows, Dim) = (rows, dim);

    /// <summary>Number of embeddings (N).</summary>
    public int Rows { get; }

    /// <summary>Embedding dimension (d).</summary>
    public int Dim { get; }

    /// <summary>
    /// Whether the values are stored as float32, which makes single the default precision of the pairwise kernel
    /// (<see cref="Metrics.KernelPrecision"/>); float64 storage and anything parsed from text default to double.
    /// </summary>
    public virtual bool StoredAsSingle => false;

    /// <summary>Copies rows <paramref name="first"/> … <paramref name="first"/> + destination.Length / d − 1 into <paramref name="destination"/>, row-major, as float64.</summary>
    public abstract void ReadRows(int first, Span<double> destination);

    /// <summary>
    /// Calls <paramref name="action"/> on consecutive blocks of at most <paramref name="blockRows"/> rows, in order,
    /// from a buffer it reuses (a matrix in memory hands out its own storage).
    /// </summary>
    internal virtual void ForEachBlock(RowBlockAction action, int blockRows = PassBlock)
    {
        var buffer = new double[Math.Min(blockRows, Rows) * Dim];
        for (var first = 0; first < Rows; first += blockRows)
        {
            var count = Math.Min(blockRows, Rows - first);
            var rows = buffer.AsSpan(0, count * Dim);
            ReadRows(first, rows);
            action(first, count, rows);
        }
    }

    /// <summary>
    /// Runs <paramref name="reduce"/> on each block of <see cref="PassBlock"/> rows on all cores and returns the results
    /// in block order, so a caller that merges them in that order gets the same bits on any core count.
    /// </summary>
    internal TResult[] MapBlocks<TResult>(BlockFunction<TResult> reduce, int maxDegreeOfParallelism = -1, CancellationToken cancellationToken = default)
    {
        var blocks = (Rows + PassBlock - 1) / PassBlock;
        var results = new TResult[blocks];
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        Parallel.For(
            0,
            blocks,
            options,
            () => new double[Math.Min(PassBlock, Rows) * Dim],
            (b, _, buffer) =>
            {
                var first = b * PassBlock;
                var count = Math.Min(PassBlock, Rows - first);
                var rows = buffer.AsSpan(0, count * Dim);
                cancellationToken.ThrowIfCancellationRequested();
                ReadRows(first, rows);
                results[b] = reduce(first, count, rows);
                return buffer;
            },
            _ => { });
        return results;
    }

    /// <summary>All rows in memory (a matrix returns itself), for consumers that need them whole, such as a report's figures.</summary>
    public virtual EmbeddingMatrix ToMatrix()
    {
        var values = new double[checked(Rows * Dim)];
        ReadRows(0, values);
        return EmbeddingMatrix.Wrap(values, Rows, Dim);
    }

    /// <summary>The rows <paramref name="rows"/> (any order) copied into a new matrix, in that order.</summary>
    internal EmbeddingMatrix Gather(IReadOnlyList<int> rows)
    {
        var values = new double[rows.Count * Dim];
        for (var r = 0; r < rows.Count; r++)
        {
            ReadRows(rows[r], values.AsSpan(r * Dim, Dim));
        }

        return EmbeddingMatrix.Wrap(values, rows.Count, Dim);
    }

    /// <summary>The spectrum computed by <paramref name="compute"/> the first time, the same values after (a copy each time).</summary>
    internal double[] Spectrum(Func<EmbeddingRows, double[]> compute)
    {
        var spectrum = Volatile.Read(ref _spectrum);
        if (spectrum is null)
        {
            spectrum = compute(this);
            spectrum = Interlocked.CompareExchange(ref _spectrum, spectrum, null) ?? spectrum;
        }

        return (double[])spectrum.Clone();
    }
}

/// <summary>Receives rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1, row-major.</summary>
internal delegate void RowBlockAction(int first, int count, ReadOnlySpan<double> rows);

/// <summary>Reduces rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 to one result.</summary>
internal delegate TResult BlockFunction<out TResult>(int first, int count, Span<double> rows);
