using Hypersphere.Inference.Formats;

namespace Hypersphere.Inference.Tests;

/// <summary>Image arrays are read by Core's .npy reader: the same header checks and the same Fortran-order policy as embeddings.</summary>
public class NpyImageFileTests
{
    public static TheoryData<string> Cases => [.. MalformedNpy.Cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedHeadersAreRefusedWithTheProblemNamed(string name) =>
        MalformedNpy.AssertRefused(name, file => NpyImageFile.Read(file, "the request body"), "the request body", ownReason: "image arrays must be");

    [Fact]
    public void FortranOrderImagesAreTransposedToCOrder()
    {
        // pixel[n, h, w] = 100n + 10h + w for shape (2, 3, 4), stored with n fastest.
        var fortran = new List<byte>();
        for (var w = 0; w < 4; w++)
        {
            for (var h = 0; h < 3; h++)
            {
                for (var n = 0; n < 2; n++)
                {
                    fortran.Add((byte)((100 * n) + (10 * h) + w));
                }
            }
        }

        var images = NpyImageFile.Read(NpyBytes.File("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }", [.. fortran]), "x.npy");
        var expected = from n in Enumerable.Range(0, 2) from h in Enumerable.Range(0, 3) from w in Enumerable.Range(0, 4) select (byte)((100 * n) + (10 * h) + w);
        Assert.Equal((2, 1, 3, 4), (images.Count, images.Channels, images.Height, images.Width));
        Assert.Equal(expected, images.Bytes!);
    }

    [Fact]
    public void BigEndianFloat64ImagesBecomeFloat32()
    {
        var images = NpyImageFile.Read(NpyBytes.File("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1, 2), }", NpyBytes.Float64([0.25, 1.0 / 3], bigEndian: true)), "x.npy");
        Assert.Equal([0.25f, (float)(1.0 / 3)], images.Floats!);
    }
}
