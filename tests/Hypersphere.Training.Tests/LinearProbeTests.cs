using Hypersphere.Training.Evaluation;
using static TorchSharp.torch;

namespace Hypersphere.Training.Tests;

public class LinearProbeTests
{
    [Fact]
    public void SeparatesLinearlySeparableClassesAndStaysAtChanceOnNoise()
    {
        const int dim = 8, classes = 4, perClass = 100;
        var random = new Random(1);
        float[] Make(bool informative, out int[] labels)
        {
            var x = new float[classes * perClass * dim];
            labels = new int[classes * perClass];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = i % classes;
                for (var k = 0; k < dim; k++)
                {
                    var centre = informative && k == labels[i] ? 3f : 0f;
                    x[(i * dim) + k] = centre + (float)(random.NextDouble() - 0.5);
                }
            }

            return x;
        }

        var trainX = Make(true, out var trainY);
        var testX = Make(true, out var testY);
        Assert.True(LinearProbe.Accuracy(trainX, trainY, testX, testY, dim, epochs: 300, seed: 0, CPU) > 0.97);

        var noiseX = Make(false, out var noiseY);
        var noiseTest = Make(false, out var noiseTestY);
        Assert.InRange(LinearProbe.Accuracy(noiseX, noiseY, noiseTest, noiseTestY, dim, epochs: 300, seed: 0, CPU), 0.1, 0.45);
    }
}
