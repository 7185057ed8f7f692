using System.Globalization;
using Hypersphere.Training.Training;
using Spectre.Console;

namespace Hypersphere.Cli.Commands;

/// <summary>Draws training progress: a bar per epoch with loss, alignment, uniformity and img/s.</summary>
internal sealed class SpectreTrainingProgress(ProgressContext context) : ITrainingProgress
{
    private ProgressTask? _task;
    private int _epochs;

    public void Started(TrainState state, int batchesPerEpoch, string message)
    {
        _epochs = state.Config.Epochs;
        AnsiConsole.MarkupLineInterpolated($"[grey]{message}; {batchesPerEpoch} steps an epoch, {state.Config.Loss.Preset}[/]");
    }

    public void StepDone(StepReport report)
    {
        if (_task is null || report.Batch == 0 || _task.Description.StartsWith($"epoch {report.Epoch + 1}/", StringComparison.Ordinal) is false)
        {
            _task?.StopTask();
            _task = context.AddTask(Describe(report), maxValue: report.BatchesPerEpoch);
            _task.Value = report.Batch;
        }

        _task.Description = Describe(report);
        _task.Value = report.Batch + 1;
    }

    public void EpochDone(EpochReport report)
    {
        _task?.StopTask();
        AnsiConsole.MarkupLine(string.Format(
            CultureInfo.InvariantCulture,
            "epoch {0}/{1}: loss {2:F4}  align {3:F4}  uniform {4:F4}  lr {5:G3}  {6:F0} img/s  {7:F1} s",
            report.Epoch,
            _epochs,
            report.Loss,
            report.Alignment,
            report.Uniformity,
            report.LearningRate,
            report.ImagesPerSecond,
            report.Seconds));
    }

    private string Describe(StepReport r) => string.Format(
        CultureInfo.InvariantCulture,
        "epoch {0}/{1}  loss {2:F3}  align {3:F3}  unif {4:F3}  {5:F0} img/s",
        r.Epoch + 1,
        _epochs,
        r.Loss,
        r.Alignment,
        r.Uniformity,
        r.ImagesPerSecond);
}
