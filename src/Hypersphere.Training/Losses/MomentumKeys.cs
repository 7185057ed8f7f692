using Hypersphere.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Training.Losses;

/// <summary>MoCo's momentum key encoder and its FIFO queue of past keys.</summary>
public sealed class MomentumKeys : IDisposable
{
    private readonly SmallAlexNet _query;
    private readonly MocoSpec _spec;
    private Tensor? _queue;

    /// <summary>Creates the key encoder as a copy of <paramref name="query"/>.</summary>
    public MomentumKeys(MocoSpec spec, SmallAlexNet query, long seed)
    {
        _spec = spec;
        _query = query;
        KeyEncoder = new SmallAlexNet(query.Config, seed);
        KeyEncoder.to(query.parameters().First().device);
        KeyEncoder.load_state_dict(query.state_dict());
        foreach (var p in KeyEncoder.parameters())
        {
            p.requires_grad = false;
        }
    }

    /// <summary>The momentum (key) encoder.</summary>
    public SmallAlexNet KeyEncoder { get; }

    /// <summary>Ring position of the next key to write.</summary>
    public long Position { get; private set; }

    /// <summary>Keys stored so far (up to the queue size).</summary>
    public long Filled { get; private set; }

    /// <summary>The stored keys [Filled, D], or null before the first step.</summary>
    public Tensor? Stored => _queue is null || Filled == 0 ? null : _queue.narrow(0, 0, Filled);

    /// <summary>Momentum-updates the key encoder, then embeds <paramref name="view"/> with it (no gradient).</summary>
    public Tensor Keys(Tensor view)
    {
        using var noGrad = no_grad();
        foreach (var (key, query) in KeyEncoder.parameters().Zip(_query.parameters()))
        {
            key.mul_(_spec.Momentum).add_(query.detach(), alpha: 1 - _spec.Momentum);
        }

        return KeyEncoder.forward(view);
    }

    /// <summary>Writes keys into the ring buffer, oldest first out.</summary>
    public void Enqueue(Tensor keys)
    {
        using var noGrad = no_grad();
        var n = keys.shape[0];
        var size = (long)_spec.QueueSize;
        _queue ??= zeros([size, keys.shape[1]], device: keys.device).DetachFromDisposeScope();
        for (long written = 0; written < n;)
        {
            var count = Math.Min(n - written, size - Position);
            _queue.narrow(0, Position, count).copy_(keys.narrow(0, written, count).detach());
            written += count;
            Position = (Position + count) % size;
        }

        Filled = Math.Min(size, Filled + n);
    }

    /// <summary>The queue tensor and its counters, for checkpoints.</summary>
    public (Tensor? Queue, long Position, long Filled) State => (_queue, Position, Filled);

    /// <summary>Restores the queue from a checkpoint.</summary>
    public void Restore(Tensor queue, long position, long filled)
    {
        _queue?.Dispose();
        _queue = queue.DetachFromDisposeScope();
        Position = position;
        Filled = filled;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _queue?.Dispose();
        KeyEncoder.Dispose();
    }
}
