namespace Hypersphere.Training.Data;

/// <summary>
/// A labelled image set held as bytes, N×C×H×W row-major (channel-first, like tensors), values 0–255.
/// Unlabelled images (STL-10's unlabeled split) have label −1.
/// </summary>
/// <param name="Name">Data set and split, for logs and model cards (e.g. <c>fashion-mnist/train</c>).</param>
/// <param name="Pixels">Count·C·H·W bytes.</param>
/// <param name="Labels">Count class ids (or −1).</param>
/// <param name="Channels">C: 1 (grayscale) or 3 (RGB).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="ClassNames">Names of the class ids.</param>
public sealed record ImageDataset(string Name, byte[] Pixels, int[] Labels, int Channels, int Height, int Width, IReadOnlyList<string> ClassNames)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Bytes per image.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Per-channel mean and standard deviation of the pixels scaled to [0, 1].</summary>
    public (float[] Mean, float[] Std) ChannelStatistics()
    {
        var plane = Height * Width;
        var sum = new double[Channels];
        var squares = new double[Channels];
        for (var i = 0; i < Count; i++)
        {
            for (var c = 0; c < Channels; c++)
            {
                var offset = (i * ImageSize) + (c * plane);
                for (var p = 0; p < plane; p++)
                {
                    var v = Pixels[offset + p] / 255.0;
                    sum[c] += v;
                    squares[c] += v * v;
                }
            }
        }

        var n = (double)Count * plane;
        var mean = new float[Channels];
        var std = new float[Channels];
        for (var c = 0; c < Channels; c++)
        {
            var m = sum[c] / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(squares[c] / n - (m * m), 1e-12));
        }

        return (mean, std);
    }

    /// <summary>The first <paramref name="count"/> images (or all, if fewer), for quick runs and tests.</summary>
    public ImageDataset Take(int count)
    {
        if (count >= Count)
        {
            return this;
        }

        return this with
        {
            Pixels = Pixels.AsSpan(0, count * ImageSize).ToArray(),
            Labels = Labels[..count],
        };
    }
}
