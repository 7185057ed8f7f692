using Hypersphere.Core.Errors;

namespace Hypersphere.Training.Models;

/// <summary>Shape of a <see cref="SmallAlexNet"/>: input, width multiplier and feature dimension.</summary>
/// <param name="Channels">Input channels (1 grayscale, 3 RGB).</param>
/// <param name="Height">Input height in pixels.</param>
/// <param name="Width">Input width in pixels.</param>
/// <param name="WidthMultiplier">Scales every layer's channels (1 = the paper's 96-192-384-384-192, fc 4096).</param>
/// <param name="FeatureDim">Dimension of the L2-normalised output.</param>
public sealed record EncoderConfig(int Channels, int Height, int Width, double WidthMultiplier = 0.25, int FeatureDim = 128)
{
    /// <summary>Channels of conv1 … conv5 at width 1.</summary>
    public static readonly int[] BaseConvChannels = [96, 192, 384, 384, 192];

    /// <summary>Units of fc6 and fc7 at width 1.</summary>
    public const int BaseFcUnits = 4096;

    /// <summary>Channels of conv block <paramref name="i"/> (0-based) at this width.</summary>
    public int ConvChannels(int i) => Scale(BaseConvChannels[i]);

    /// <summary>Units of fc6 and fc7 at this width.</summary>
    public int FcUnits => Scale(BaseFcUnits);

    /// <summary>Spatial size after the three 3×3 stride-2 max-pools (after blocks 1, 2 and 5).</summary>
    public (int Height, int Width) PooledSize => (Pool(Pool(Pool(Height))), Pool(Pool(Pool(Width))));

    /// <summary>Throws unless every setting is usable.</summary>
    public void Validate()
    {
        if (Channels is not (1 or 3))
        {
            throw HypersphereException.Invalid($"encoder input channels must be 1 or 3, but was {Channels}");
        }

        if (!(WidthMultiplier > 0) || WidthMultiplier > 4)
        {
            throw HypersphereException.Invalid($"width multiplier must be in (0, 4], but was {WidthMultiplier}");
        }

        if (FeatureDim < 2)
        {
            throw HypersphereException.Invalid($"feature dimension must be at least 2, but was {FeatureDim}");
        }

        var (h, w) = PooledSize;
        if (h < 1 || w < 1)
        {
            throw HypersphereException.Invalid($"input {Height}×{Width} is too small for SmallAlexNet's three stride-2 pools; it needs at least 15×15");
        }
    }

    private int Scale(int units) => Math.Max(1, (int)Math.Round(units * WidthMultiplier));

    private static int Pool(int size) => size < 3 ? 0 : ((size - 3) / 2) + 1;
}
