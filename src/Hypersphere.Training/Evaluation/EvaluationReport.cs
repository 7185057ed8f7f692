namespace Hypersphere.Training.Evaluation;

/// <summary>What <c>hypersphere eval</c> prints and the model card stores; accuracies are fractions.</summary>
/// <param name="Dataset">Data set the encoder was evaluated on.</param>
/// <param name="TrainImages">Images the probes were fitted on.</param>
/// <param name="TestImages">Held-out images measured.</param>
/// <param name="EpochsTrained">Encoder training epochs completed.</param>
/// <param name="Knn5Output">5-NN majority vote on the output, test against train.</param>
/// <param name="Knn20WeightedOutput">20-NN weighted exp(s/0.07) on the output.</param>
/// <param name="LinearOutput">Linear probe on the output.</param>
/// <param name="LinearFc7">Linear probe on fc7.</param>
/// <param name="LinearEpochs">Epochs of each linear probe.</param>
/// <param name="Alignment">L_align(α = 2) between two augmentations of each held-out image.</param>
/// <param name="Uniformity">L_uniform(t = 2) of the clean held-out embeddings.</param>
/// <param name="UniformOptimum">Uniformity of points uniform on the sphere, for comparison.</param>
/// <param name="RankMe">Effective rank of the held-out embeddings.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
public sealed record EvaluationReport(
    string Dataset,
    int TrainImages,
    int TestImages,
    int EpochsTrained,
    double? Knn5Output,
    double? Knn20WeightedOutput,
    double? LinearOutput,
    double? LinearFc7,
    int? LinearEpochs,
    double Alignment,
    double Uniformity,
    double UniformOptimum,
    double RankMe,
    double Seconds);
