using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hypersphere.Training.Models;

/// <summary>What the encoder computes for a batch: the layers evaluation probes, and the embedding.</summary>
/// <param name="Conv5">Pooled conv5 activations, flattened [N, C·h·w].</param>
/// <param name="Fc7">fc7 after BatchNorm and ReLU [N, fc units].</param>
/// <param name="Embedding">fc8 output, L2-normalised [N, D].</param>
public sealed record EncoderOutputs(Tensor Conv5, Tensor Fc7, Tensor Embedding);

/// <summary>
/// The paper's SmallAlexNet for any input size and channel count: five 3×3 conv blocks
/// (BatchNorm, ReLU; 3/2 max-pool after blocks 1, 2 and 5), fc6 and fc7 (BatchNorm, ReLU), fc8 to the
/// feature dimension, then L2 normalisation. Weights N(0, 0.02), BatchNorm scale 1 and shift 0.
/// Layers are named fields (not a Sequential) so the ONNX exporter can read them one by one.
/// </summary>
public sealed class SmallAlexNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3, conv4, conv5;
    private readonly BatchNorm2d bn1, bn2, bn3, bn4, bn5;
    private readonly Linear fc6, fc7, fc8;
    private readonly BatchNorm1d bn6, bn7;
    private readonly MaxPool2d pool;

    /// <summary>Builds the encoder with weights drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public SmallAlexNet(EncoderConfig config, long seed)
        : base(nameof(SmallAlexNet))
    {
        config.Validate();
        OneDnnGuard.Ensure(); // before the first convolution of the process
        Config = config;
        var c = Enumerable.Range(0, 5).Select(config.ConvChannels).ToArray();
        conv1 = nn.Conv2d(config.Channels, c[0], 3, padding: 1, bias: false);
        conv2 = nn.Conv2d(c[0], c[1], 3, padding: 1, bias: false);
        conv3 = nn.Conv2d(c[1], c[2], 3, padding: 1, bias: false);
        conv4 = nn.Conv2d(c[2], c[3], 3, padding: 1, bias: false);
        conv5 = nn.Conv2d(c[3], c[4], 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(c[0]);
        bn2 = nn.BatchNorm2d(c[1]);
        bn3 = nn.BatchNorm2d(c[2]);
        bn4 = nn.BatchNorm2d(c[3]);
        bn5 = nn.BatchNorm2d(c[4]);
        pool = nn.MaxPool2d(3, 2);
        var (h, w) = config.PooledSize;
        fc6 = nn.Linear(c[4] * h * w, config.FcUnits, hasBias: false);
        bn6 = nn.BatchNorm1d(config.FcUnits);
        fc7 = nn.Linear(config.FcUnits, config.FcUnits, hasBias: false);
        bn7 = nn.BatchNorm1d(config.FcUnits);
        fc8 = nn.Linear(config.FcUnits, config.FeatureDim, hasBias: true);
        RegisterComponents();
        Initialize(seed);
    }

    /// <summary>The shape this encoder was built for.</summary>
    public EncoderConfig Config { get; }

    /// <summary>Conv blocks in order: convolution, its BatchNorm, and whether a max-pool follows.</summary>
    public IReadOnlyList<(Conv2d Conv, BatchNorm2d Norm, bool Pool)> ConvBlocks =>
        [(conv1, bn1, true), (conv2, bn2, true), (conv3, bn3, false), (conv4, bn4, false), (conv5, bn5, true)];

    /// <summary>fc6 and fc7 with their BatchNorms, then fc8.</summary>
    public (Linear Fc6, BatchNorm1d Bn6, Linear Fc7, BatchNorm1d Bn7, Linear Fc8) Head => (fc6, bn6, fc7, bn7, fc8);

    /// <summary>The L2-normalised embedding.</summary>
    public override Tensor forward(Tensor input) => Features(input).Embedding;

    /// <summary>The embedding and the intermediate layers evaluation probes.</summary>
    public EncoderOutputs Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var (conv, norm, pooled) in ConvBlocks)
        {
            x = nn.functional.relu(norm.forward(conv.forward(x)));
            if (pooled)
            {
                x = pool.forward(x);
            }
        }

        var conv5Features = x.flatten(1);
        var fc7Features = nn.functional.relu(bn7.forward(fc7.forward(nn.functional.relu(bn6.forward(fc6.forward(conv5Features))))));
        var embedding = nn.functional.normalize(fc8.forward(fc7Features), p: 2, dim: 1, eps: 1e-12);
        return new EncoderOutputs(conv5Features.MoveToOuterDisposeScope(), fc7Features.MoveToOuterDisposeScope(), embedding.MoveToOuterDisposeScope());
    }

    private void Initialize(long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            var isNorm = name.StartsWith("bn", StringComparison.Ordinal);
            if (name.EndsWith("bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (isNorm)
            {
                parameter.fill_(1);
            }
            else
            {
                // nn.init.normal_ ignores its generator in TorchSharp 0.107; Tensor.normal_ honours it.
                parameter.normal_(0, 0.02, generator: generator);
            }
        }
    }
}
