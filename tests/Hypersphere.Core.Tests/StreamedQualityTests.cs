using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;
using Hypersphere.Core.Metrics;
using Hypersphere.Core.Quality;
using Hypersphere.Testing;

namespace Hypersphere.Core.Tests;

/// <summary>
/// Quality measured on a memory-mapped <c>.npy</c> file (<see cref="MappedEmbeddings"/>) against the same file loaded into
/// an <see cref="EmbeddingMatrix"/>: the same report to the bit, the same refusals with the same messages.
/// </summary>
public sealed class StreamedQualityTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false, 700, 24)]
    [InlineData(true, 1500, 128)]
    public void ExactReportFromTheMappedFileEqualsTheInMemoryReportBitForBit(bool float64File, int n, int dim)
    {
        var (x, y) = (SpherePoints.Uniform(n, dim, 1), Noisy(SpherePoints.Uniform(n, dim, 1), dim, 2));
        var labels = Enumerable.Range(0, n).Select(i => i % 7).ToArray();
        var (xPath, yPath) = (Write("x.npy", x, n, dim, float64File), Write("y.npy", y, n, dim, float64File));
        foreach (var precision in new KernelPrecision?[] { KernelPrecision.Single, KernelPrecision.Double })
        {
            var options = new QualityOptions(Alpha: 1.5, Precision: precision, Sampling: new SamplingOptions(Exact: true));
            using var mappedX = MappedEmbeddings.TryOpen(xPath, normalize: false, "embeddings")!;
            using var mappedY = MappedEmbeddings.TryOpen(yPath, normalize: false, "positives")!;
            var streamed = QualityJson.Serialize(QualityAnalyzer.Analyze(mappedX, mappedY, labels, options));
            var inMemory = QualityJson.Serialize(QualityAnalyzer.Analyze(Load(xPath), Load(yPath), labels, options));
            Assert.Equal(inMemory, streamed);
        }
    }

    [Fact]
    public void SampledReportFromTheMappedFileEqualsTheInMemoryReportBitForBit()
    {
        const int n = 3000, dim = 16;
        var path = Write("x.npy", SpherePoints.Uniform(n, dim, 3), n, dim, float64: false);
        var options = new QualityOptions(Sampling: new SamplingOptions(Error: 0.02, Seed: 5, AutoAbovePairs: 1000));
        using var mapped = MappedEmbeddings.TryOpen(path, normalize: false, "embeddings")!;
        var labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var streamed = QualityAnalyzer.Analyze(mapped, labels: labels, options: options);
        Assert.Equal("sampled", streamed.Estimator);
        Assert.Equal(QualityJson.Serialize(QualityAnalyzer.Analyze(Load(path), labels: labels, options: options)), QualityJson.Serialize(streamed));
    }

    [Fact]
    public void NormalisingWhileReadingGivesTheValuesTheMatrixWouldHold()
    {
        const int n = 300, dim = 9;
        var raw = SpherePoints.Uniform(n, dim, 4).Select((v, i) => v * (1 + (i % 5))).ToArray();
        var path = Write("raw.npy", raw, n, dim, float64: false);
        using var mapped = MappedEmbeddings.TryOpen(path, normalize: true, "embeddings")!;
        var matrix = EmbeddingMatrix.Create(raw, n, dim, normalize: true);
        Assert.Equal(matrix.Values.ToArray(), mapped.ToMatrix().Values.ToArray());
        Assert.Equal(Uniformity.Compute(matrix, precision: KernelPrecision.Double), Uniformity.Compute(mapped, precision: KernelPrecision.Double));
    }

    [Theory]
    [InlineData(4100, 0, double.NaN)]
    [InlineData(9000, 3, double.PositiveInfinity)]
    [InlineData(5000, -1, 1.5)]
    [InlineData(2, -1, 0)]
    public void BadRowsAreRefusedWithTheMessagesOfTheInMemoryCheck(int badRow, int column, double value)
    {
        const int n = 10_000, dim = 4;
        var values = SpherePoints.Uniform(n, dim, 6).Select(v => (double)v).ToArray();
        if (column >= 0)
        {
            values[(badRow * dim) + column] = value;
        }
        else
        {
            for (var k = 0; k < dim; k++)
            {
                values[(badRow * dim) + k] *= value;
            }
        }

        values[(9500 * dim) + 1] = double.NaN; // a later bad row: the first one is reported, as a sequential check would
        var path = _folder.File("bad.npy");
        NpyFile.Write(path, values, n, dim);
        foreach (var normalize in new[] { false, true })
        {
            var expected = Record.Exception(() => EmbeddingMatrix.Create(values, n, dim, normalize, "embeddings"));
            var actual = Record.Exception(() => MappedEmbeddings.TryOpen(path, normalize, "embeddings")?.Dispose());
            Assert.IsType<HypersphereException>(expected);
            Assert.Equal(expected.Message, Assert.IsType<HypersphereException>(actual).Message);
        }
    }

    [Fact]
    public void ATruncatedFileIsRefusedAsTheWholeFileReaderRefusesIt()
    {
        var bytes = NpyFile.Encode(SpherePoints.Uniform(10, 4, 0), 10, 4);
        var path = _folder.File("cut.npy");
        File.WriteAllBytes(path, bytes[..^5]);
        var expected = Assert.Throws<HypersphereException>(() => NpyFile.ReadMatrix(path));
        var actual = Assert.Throws<HypersphereException>(() => MappedEmbeddings.TryOpen(path, false, "embeddings"));
        Assert.Equal((ErrorKind.Corrupt, expected.Message), (actual.Kind, actual.Message));
    }

    [Fact]
    public void FilesTheMappingCannotReadAreLeftToTheWholeFileReader()
    {
        var fortran = _folder.File("f.npy");
        File.WriteAllBytes(fortran, NpyBytes.File("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", NpyBytes.Float64([1, 0, 0, 1])));
        var bigEndian = _folder.File("b.npy");
        File.WriteAllBytes(bigEndian, NpyBytes.File("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", NpyBytes.Float64([1, 0, 0, 1], bigEndian: true)));
        var integers = _folder.File("i.npy");
        File.WriteAllBytes(integers, NpyBytes.File("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", new byte[16]));
        Assert.Null(MappedEmbeddings.TryOpen(fortran, false, "embeddings"));
        Assert.Null(MappedEmbeddings.TryOpen(bigEndian, false, "embeddings"));
        Assert.Null(MappedEmbeddings.TryOpen(integers, false, "embeddings"));
        using var little = MappedEmbeddings.TryOpen(Write("l.npy", [1, 0, 0, 1], 2, 2, float64: true), false, "embeddings")!;
        Assert.False(little.StoredAsSingle);
        Assert.Equal(KernelPrecision.Double, Uniformity.DefaultPrecision(little));
    }

    [Fact]
    public void TheExactPassReportsProgressToTheEndAndStopsWhenCancelled()
    {
        const int n = 3000, dim = 32;
        var path = Write("x.npy", SpherePoints.Uniform(n, dim, 7), n, dim, float64: false);
        using var mapped = MappedEmbeddings.TryOpen(path, false, "embeddings")!;
        Assert.True(mapped.StoredAsSingle);
        var reports = new List<double>();
        Uniformity.Compute(mapped, progress: new Recorder(reports), maxDegreeOfParallelism: 1);
        Assert.Equal(1.0, reports[^1], 12);
        Assert.Equal(reports.Order(), reports);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Uniformity.Compute(mapped, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => QualityAnalyzer.Analyze(mapped, options: new QualityOptions(Cancellation: cancelled.Token)));
    }

    private static double[] Noisy(float[] x, int dim, int seed) =>
        TestMatrices.NoisyCopies(x.Select(v => (double)v).ToArray(), dim, 0.3, seed);

    private static EmbeddingMatrix Load(string path)
    {
        var data = NpyFile.ReadMatrix(path);
        return EmbeddingMatrix.Create(data.Values, data.Rows, data.Cols, normalize: false);
    }

    private string Write(string name, IReadOnlyList<float> values, int n, int dim, bool float64) =>
        Write(name, values.Select(v => (double)v).ToArray(), n, dim, float64);

    private string Write(string name, double[] values, int n, int dim, bool float64)
    {
        var path = _folder.File(name);
        if (float64)
        {
            NpyFile.Write(path, values, n, dim);
        }
        else
        {
            NpyFile.Write(path, values.Select(v => (float)v).ToArray(), n, dim);
        }

        return path;
    }

    private sealed class Recorder(List<double> reports) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
