using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Metrics;
using Hypersphere.Inference;
using Hypersphere.Inference.Augmentation;

namespace Hypersphere.Service.Monitoring;

/// <summary>
/// Live alignment of one model version: a sample of the images it served (their preprocessed pixels) waits in a
/// small bounded queue; off the request path, <see cref="Embed"/> makes two random views of each with the recipe
/// the model was trained with (<see cref="PixelViewAugmenter"/>), embeds both, and keeps the pairs' embeddings in a
/// ring of <c>capacity</c> pairs. Alignment is Core's E‖f(x) − f(y)‖² (α = 2) over the ring. Like
/// <see cref="LiveWindow"/>, <see cref="Offer"/> never waits: a busy queue or a full one drops the images.
/// </summary>
internal sealed class LivePairs
{
    /// <summary>Most images waiting for their views: what one background round embeds at most.</summary>
    public const int PendingCapacity = 64;

    private readonly Lock _lock = new();
    private readonly int _imageSize, _dim;
    private readonly double _fraction;
    private readonly Random _sample;
    private readonly Random _views;
    private readonly PixelViewAugmenter _augmenter;
    private readonly float[] _pending;
    private readonly float[] _x, _y;
    private int _waiting, _next, _count;
    private long _pairs;

    public LivePairs(ModelCard card, int capacity, double fraction, Random sample, Random views)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _augmenter = PixelViewAugmenter.For(card);
        (_imageSize, _dim, _fraction, _sample, _views) = (_augmenter.ImageSize, card.EmbeddingDim, fraction, sample, views);
        _pending = new float[PendingCapacity * _imageSize];
        _x = new float[capacity * _dim];
        _y = new float[capacity * _dim];
        Capacity = capacity;
    }

    /// <summary>Most pairs the ring holds.</summary>
    public int Capacity { get; }

    /// <summary>Pairs embedded since sampling started (including the ones overwritten since).</summary>
    public long Embedded => Interlocked.Read(ref _pairs);

    /// <summary>Offers <paramref name="count"/> served images (count·C·H·W floats); each joins the queue with the sampling fraction. Never waits.</summary>
    public void Offer(ReadOnlySpan<float> pixels, int count)
    {
        if (!_lock.TryEnter())
        {
            return;
        }

        try
        {
            for (var i = 0; i < count && _waiting < PendingCapacity; i++)
            {
                if (_sample.NextDouble() < _fraction)
                {
                    pixels.Slice(i * _imageSize, _imageSize).CopyTo(_pending.AsSpan(_waiting * _imageSize, _imageSize));
                    _waiting++;
                }
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Takes the waiting images, makes two views of each, embeds them with <paramref name="embed"/> (one batch of 2k
    /// images: the first views, then the second) and adds the pairs to the ring. Returns whether any pair was added.
    /// </summary>
    public bool Embed(Func<float[], int, float[]> embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        float[] images;
        int k;
        lock (_lock)
        {
            k = _waiting;
            images = _pending.AsSpan(0, k * _imageSize).ToArray();
            _waiting = 0;
        }

        if (k == 0)
        {
            return false;
        }

        var views = new float[2 * k * _imageSize];
        for (var i = 0; i < k; i++)
        {
            var image = images.AsSpan(i * _imageSize, _imageSize);
            _augmenter.Augment(image, views.AsSpan(i * _imageSize, _imageSize), _views);
            _augmenter.Augment(image, views.AsSpan((k + i) * _imageSize, _imageSize), _views);
        }

        var embedded = embed(views, 2 * k);
        lock (_lock)
        {
            for (var i = 0; i < k; i++)
            {
                embedded.AsSpan(i * _dim, _dim).CopyTo(_x.AsSpan(_next * _dim, _dim));
                embedded.AsSpan((k + i) * _dim, _dim).CopyTo(_y.AsSpan(_next * _dim, _dim));
                _next = (_next + 1) % Capacity;
            }

            _count = Math.Min(Capacity, _count + k);
            Interlocked.Add(ref _pairs, k);
        }

        return true;
    }

    /// <summary>The last <see cref="Compute"/>d alignment and its pair count; null before the first.</summary>
    public LiveAlignment? Last { get; private set; }

    /// <summary>Alignment (α = 2) over the pairs in the ring and how many there are (kept as <see cref="Last"/>); null before the first pair.</summary>
    public LiveAlignment? Compute()
    {
        float[] x, y;
        int count;
        lock (_lock)
        {
            count = _count;
            x = _x.AsSpan(0, count * _dim).ToArray();
            y = _y.AsSpan(0, count * _dim).ToArray();
        }

        if (count == 0)
        {
            return null;
        }

        var a = EmbeddingMatrix.Create(x, count, _dim, normalize: false, "the live views");
        var b = EmbeddingMatrix.Create(y, count, _dim, normalize: false, "the live views");
        Last = new LiveAlignment(Alignment.Compute(a, b, Alignment.DefaultAlpha), count);
        return Last;
    }
}

/// <summary>Live alignment: E‖f(x) − f(y)‖² (α = 2) over <paramref name="Pairs"/> pairs of augmented views of served images.</summary>
/// <param name="Alignment">The mean squared distance between the two views' embeddings.</param>
/// <param name="Pairs">Pairs it was computed over.</param>
public sealed record LiveAlignment(double Alignment, int Pairs);
