using Hypersphere.Core.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hypersphere.Training.Evaluation;

/// <summary>
/// The paper's linear evaluation on frozen features: a linear classifier trained with Adam
/// (β = (0.5, 0.999)), learning rate 1e-3, batch 128, ×0.2 at 60 % and 80 % of the epochs.
/// </summary>
public static class LinearProbe
{
    /// <summary>Adam learning rate.</summary>
    public const double LearningRate = 1e-3;

    /// <summary>Mini-batch size.</summary>
    public const int BatchSize = 128;

    /// <summary>Trains on (trainX, trainY) and returns the accuracy on (testX, testY) as a fraction.</summary>
    public static double Accuracy(float[] trainX, int[] trainY, float[] testX, int[] testY, int dim, int epochs, long seed, Device device)
    {
        if (epochs < 1)
        {
            throw HypersphereException.Invalid($"linear probe epochs must be at least 1, but was {epochs}");
        }

        var classes = Math.Max(trainY.Max(), testY.Max()) + 1;
        using var x = tensor(trainX, [trainY.Length, dim], device: device);
        using var y = tensor(trainY.Select(v => (long)v).ToArray(), device: device);
        random.manual_seed(seed);
        using var classifier = nn.Linear(dim, classes, device: device);
        using var optimizer = optim.Adam(classifier.parameters(), LearningRate, beta1: 0.5, beta2: 0.999);
        using var generator = new Generator((ulong)seed, device: CPU);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var lr = LearningRate * (epoch >= (int)Math.Round(0.6 * epochs) ? 0.2 : 1) * (epoch >= (int)Math.Round(0.8 * epochs) ? 0.2 : 1);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = lr;
            }

            using var order = randperm(trainY.Length, generator: generator).to(device);
            for (long start = 0; start < trainY.Length; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, trainY.Length - start));
                var loss = nn.functional.cross_entropy(classifier.forward(x.index_select(0, index)), y.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }

        using var noGrad = no_grad();
        using var testTensor = tensor(testX, [testY.Length, dim], device: device);
        using var predictions = classifier.forward(testTensor).argmax(1).cpu();
        var predicted = predictions.data<long>().ToArray();
        return predicted.Where((p, i) => p == testY[i]).Count() / (double)testY.Length;
    }
}
