namespace Hypersphere.Training.Training;

/// <summary>Where a run stands: the part of a checkpoint that is not tensors.</summary>
/// <param name="Config">The run's configuration.</param>
/// <param name="Epoch">Epoch in progress (0-based); equals Config.Epochs when training is finished.</param>
/// <param name="BatchInEpoch">Batches of <paramref name="Epoch"/> already trained.</param>
/// <param name="GlobalStep">Steps trained in all.</param>
/// <param name="QueuePosition">MoCo ring position.</param>
/// <param name="QueueFilled">MoCo keys stored.</param>
/// <param name="Channels">Input channels of the encoder.</param>
/// <param name="InputSize">Input side of the encoder.</param>
/// <param name="Mean">Normalisation mean per channel.</param>
/// <param name="Std">Normalisation std per channel.</param>
/// <param name="SourceCommit">git commit of the code that trained, if known.</param>
public sealed record TrainState(
    TrainConfig Config,
    int Epoch,
    int BatchInEpoch,
    long GlobalStep,
    long QueuePosition,
    long QueueFilled,
    int Channels,
    int InputSize,
    float[] Mean,
    float[] Std,
    string? SourceCommit);
