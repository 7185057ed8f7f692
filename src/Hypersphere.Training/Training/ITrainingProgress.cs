namespace Hypersphere.Training.Training;

/// <summary>Figures of one training step, for progress displays.</summary>
/// <param name="Epoch">Epoch (0-based).</param>
/// <param name="Batch">Batch within the epoch (0-based).</param>
/// <param name="BatchesPerEpoch">Batches in an epoch.</param>
/// <param name="Loss">Loss of the step.</param>
/// <param name="Alignment">Alignment of the step's views.</param>
/// <param name="Uniformity">Uniformity of the step's views.</param>
/// <param name="ImagesPerSecond">Throughput so far in this epoch.</param>
public sealed record StepReport(int Epoch, int Batch, int BatchesPerEpoch, double Loss, double Alignment, double Uniformity, double ImagesPerSecond);

/// <summary>One line of the run's <c>train.jsonl</c>: the means over an epoch.</summary>
/// <param name="Epoch">Epoch number (1-based, as people count).</param>
/// <param name="Steps">Steps trained in this epoch by this process.</param>
/// <param name="Loss">Mean loss.</param>
/// <param name="Alignment">Mean alignment.</param>
/// <param name="Uniformity">Mean uniformity.</param>
/// <param name="LearningRate">Learning rate of the epoch.</param>
/// <param name="ImagesPerSecond">Training throughput (images, each seen in two views).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="ResidentMegabytes">Process resident memory at the epoch's end: flat across epochs when nothing leaks.</param>
public sealed record EpochReport(int Epoch, int Steps, double Loss, double Alignment, double Uniformity, double LearningRate, double ImagesPerSecond, double Seconds, double ResidentMegabytes);

/// <summary>Receives progress from the trainer (the CLI draws it with Spectre.Console).</summary>
public interface ITrainingProgress
{
    /// <summary>A run (or resumed run) starts.</summary>
    void Started(TrainState state, int batchesPerEpoch, string message);

    /// <summary>A step finished.</summary>
    void StepDone(StepReport report);

    /// <summary>An epoch finished and its checkpoint is written.</summary>
    void EpochDone(EpochReport report);
}
