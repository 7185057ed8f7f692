using Hypersphere.Inference;
using Hypersphere.Training.Data;
using Hypersphere.Training.Training;

namespace Hypersphere.Training.Evaluation;

/// <summary>
/// The images evaluation and export verification feed a trained encoder: a split of the run's data set
/// loaded straight at the encoder's C×S×S, so any resizing is Inference's <see cref="PixelPlanes"/>, the
/// code the service resizes with. The card's scores then describe the pixels the service feeds the model.
/// </summary>
public static class EvaluationImages
{
    /// <summary>
    /// <paramref name="split"/> of the data set <paramref name="state"/> trained on, from <paramref name="dataDir"/>
    /// (null: the folder the run trained on), at the encoder's input shape, the first <paramref name="maxImages"/> if given.
    /// </summary>
    public static ImageDataset Load(TrainState state, string? dataDir, string split, int? maxImages = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var config = state.Config;
        return DatasetCatalog.Load(config.Dataset, dataDir ?? config.DataDir, split, state.Channels, state.InputSize, state.InputSize, maxImages);
    }
}
