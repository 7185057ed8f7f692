using System.Collections.Concurrent;
using Hypersphere.Training.Augmentation;
using static TorchSharp.torch;

namespace Hypersphere.Training.Data;

/// <summary>Two random views of the same images; the consumer disposes it.</summary>
/// <param name="View1">First view [B, C, S, S].</param>
/// <param name="View2">Second view [B, C, S, S].</param>
/// <param name="Index">Batch index within its epoch.</param>
public sealed record ViewBatch(Tensor View1, Tensor View2, int Index) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        View1.Dispose();
        View2.Dispose();
    }
}

/// <summary>
/// Shuffled, augmented two-view batches of an image set, prepared on a background thread a few
/// batches ahead of the training step. Every random choice derives from (seed, epoch, batch, view),
/// so any batch can be rebuilt exactly — which is what makes resuming mid-epoch exact.
/// The last incomplete batch of an epoch is dropped, as in the paper's code.
/// </summary>
public sealed class AugmentedBatches
{
    private const int Prefetch = 3;
    private readonly ImageDataset _data;
    private readonly ViewAugmenter _augmenter;
    private readonly long _seed;

    /// <summary>Creates the batch source; <paramref name="batchSize"/> must not exceed the data set.</summary>
    public AugmentedBatches(ImageDataset data, ViewAugmenter augmenter, int batchSize, long seed)
    {
        if (batchSize < 2 || batchSize > data.Count)
        {
            throw Core.Errors.HypersphereException.Invalid(
                $"batch size must be between 2 and the number of training images ({data.Count}), but was {batchSize}");
        }

        _data = data;
        _augmenter = augmenter;
        BatchSize = batchSize;
        _seed = seed;
    }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Full batches per epoch.</summary>
    public int BatchesPerEpoch => _data.Count / BatchSize;

    /// <summary>
    /// The batches of <paramref name="epoch"/> from <paramref name="firstBatch"/> on. Enumerate to the
    /// end or dispose the enumerator; batches not taken are disposed by the producer.
    /// </summary>
    public IEnumerable<ViewBatch> Epoch(int epoch, int firstBatch = 0)
    {
        var order = Permutation(_data.Count, Seeds.Mix(_seed, epoch));
        using var queue = new BlockingCollection<ViewBatch>(Prefetch);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            try
            {
                for (var b = firstBatch; b < BatchesPerEpoch && !stop.IsCancellationRequested; b++)
                {
                    var batch = Make(order, epoch, b);
                    if (!TryAdd(queue, batch, stop.Token))
                    {
                        batch.Dispose();
                    }
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var left in queue.GetConsumingEnumerable())
            {
                left.Dispose();
            }

            producer.GetAwaiter().GetResult();
        }
    }

    /// <summary>A seeded Fisher–Yates shuffle of 0 … n − 1.</summary>
    public static int[] Permutation(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static bool TryAdd(BlockingCollection<ViewBatch> queue, ViewBatch batch, CancellationToken token)
    {
        try
        {
            queue.Add(batch, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ViewBatch Make(int[] order, int epoch, int batch)
    {
        var size = _data.ImageSize;
        var bytes = new byte[BatchSize * size];
        for (var i = 0; i < BatchSize; i++)
        {
            Array.Copy(_data.Pixels, (long)order[(batch * BatchSize) + i] * size, bytes, (long)i * size, size);
        }

        using var scope = NewDisposeScope();
        var images = tensor(bytes, [BatchSize, _data.Channels, _data.Height, _data.Width]);
        var view1 = _augmenter.Augment(images, new Random(Seeds.Mix(_seed, epoch, batch, 1)));
        var view2 = _augmenter.Augment(images, new Random(Seeds.Mix(_seed, epoch, batch, 2)));
        return new ViewBatch(view1.MoveToOuterDisposeScope(), view2.MoveToOuterDisposeScope(), batch);
    }
}
