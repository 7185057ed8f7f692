using Hypersphere.Core.Errors;

namespace Hypersphere.Service.Runtime.Inputs;

/// <summary>
/// The pixels one request may decode in all (<see cref="Hosting.HypersphereOptions.MaxRequestPixels"/>): each image's
/// declared width·height is charged before it is decoded, so a request of many large images is refused (413) before
/// it costs more than the budget, however its images are spread over <c>input</c> and <c>positives</c>.
/// </summary>
/// <param name="limit">The pixels the request may decode.</param>
internal sealed class PixelBudget(long limit)
{
    private long _spent;

    /// <summary>Charges <paramref name="width"/>·<paramref name="height"/> pixels of <paramref name="name"/>, or refuses them.</summary>
    public void Charge(long width, long height, string name)
    {
        var pixels = width * height;
        if (_spent + pixels > limit)
        {
            throw new HypersphereException(
                ErrorKind.TooLarge,
                $"{name} is {width}×{height} = {pixels} pixels, but one request may decode at most {limit} pixels in all (Hypersphere:MaxRequestPixels) and {_spent} are decoded already; send fewer or smaller images");
        }

        _spent += pixels;
    }
}
