using System.Buffers;
using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;

namespace Hypersphere.Service.Monitoring;

/// <summary>
/// One model version's window of recently served embeddings: a ring buffer of <c>capacity × dim</c> floats,
/// allocated once, that the newest sampled rows overwrite. Writers never wait: <see cref="Offer"/> takes the lock
/// only if it is free and otherwise drops the rows (they are a sample anyway), so the embeddings path is never held
/// up by the monitor. Each offered row is kept with probability <c>fraction</c> (one draw per row).
/// </summary>
internal sealed class LiveWindow
{
    private readonly Lock _lock = new();
    private readonly float[] _rows;
    private readonly double _fraction;
    private readonly Random _random;
    private int _next;
    private int _count;
    private long _written;
    private long _dropped;

    public LiveWindow(int capacity, int dim, double fraction, Random random, DateTimeOffset started)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        Capacity = capacity;
        Dim = dim;
        _rows = new float[checked(capacity * dim)];
        _fraction = fraction;
        _random = random;
        Started = started;
    }

    /// <summary>Most rows it holds.</summary>
    public int Capacity { get; }

    /// <summary>Dimension of each row.</summary>
    public int Dim { get; }

    /// <summary>When the window began sampling (the version first served).</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Rows held now (at most <see cref="Capacity"/>).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Rows written since it started (kept by the sample, including the ones overwritten since).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Offers that found the window busy and were dropped whole.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The last report computed on it, or null before the first.</summary>
    public LiveReport? Report { get; set; }

    /// <summary>
    /// Offers <paramref name="count"/> rows (count·dim floats, row after row); each is kept with the window's
    /// fraction. Returns at once, dropping every row, when another thread holds the window.
    /// </summary>
    public void Offer(ReadOnlySpan<float> values, int count)
    {
        if (!_lock.TryEnter())
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        try
        {
            var kept = 0;
            for (var i = 0; i < count; i++)
            {
                if (_fraction < 1 && _random.NextDouble() >= _fraction)
                {
                    continue;
                }

                values.Slice(i * Dim, Dim).CopyTo(_rows.AsSpan(_next * Dim, Dim));
                _next = (_next + 1) % Capacity;
                kept++;
            }

            Volatile.Write(ref _count, (int)Math.Min(Capacity, (long)_count + kept));
            Interlocked.Add(ref _written, kept);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// The rows held now as a matrix (float64, slot order) and how many rows had been written when it was taken;
    /// null with fewer than 2 rows. The lock is held for a copy of the floats only (writers meanwhile drop their
    /// rows); Core converts and checks them after it is released. A row that is not unit norm makes Core refuse
    /// the matrix (<see cref="Core.Errors.HypersphereException"/>).
    /// </summary>
    public (EmbeddingMatrix Rows, long Written)? Snapshot()
    {
        int count;
        long written;
        var copy = ArrayPool<float>.Shared.Rent(_rows.Length);
        try
        {
            lock (_lock)
            {
                (count, written) = (_count, _written);
                _rows.AsSpan(0, count * Dim).CopyTo(copy);
            }

            return count < 2 ? null : (EmbeddingMatrix.Create(copy.AsSpan(0, count * Dim), count, Dim, normalize: false, "the live window"), written);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(copy);
        }
    }
}

/// <summary>A report on a <see cref="LiveWindow"/> and when it was computed.</summary>
/// <param name="Quality">Core's report on the window's rows, the same as <c>POST /v1/quality</c> gives for them.</param>
/// <param name="Computed">When it was computed.</param>
/// <param name="Written">The window's <see cref="LiveWindow.Written"/> at the snapshot (unchanged since: no new report is needed).</param>
internal sealed record LiveReport(QualityReport Quality, DateTimeOffset Computed, long Written);
