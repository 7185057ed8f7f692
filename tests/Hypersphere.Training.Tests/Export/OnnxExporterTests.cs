using System.Diagnostics;
using Hypersphere.Core.Errors;
using Hypersphere.Training.Export;
using Hypersphere.Training.Export.Onnx;
using Hypersphere.Training.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Hypersphere.Training.Tests.Export;

public class OnnxExporterTests(ITestOutputHelper output)
{
    private static readonly string[] AllOutputs = ["embedding", "fc7", "conv5"];

    [Theory]
    [InlineData(1, 28, false)]
    [InlineData(1, 28, true)]
    [InlineData(3, 32, true)]
    public void OnnxRuntimeReproducesTorchSharpAtBatch1And7And64(int channels, int size, bool batchNormStatistics)
    {
        using var encoder = batchNormStatistics ? ExportFixtures.WithBatchNormStatistics(channels, size) : ExportFixtures.Fresh(channels, size);
        using var images = channels == 1 ? ExportFixtures.FashionImages(64) : ExportFixtures.RandomImages(64, channels, size, seed: 9);
        using var session = new InferenceSession(OnnxExporter.Export(encoder, AllOutputs));
        Assert.Equal(AllOutputs, session.OutputNames);

        foreach (var batch in new[] { 1, 7, 64 })
        {
            using var rows = images.narrow(0, 0, batch);
            var differences = ExportFixtures.Differences(session, encoder, rows);
            output.WriteLine($"batch {batch}: {string.Join(", ", differences.Select(d => $"{d.Key} {d.Value:E2}"))}");
            Assert.Equal(3, differences.Count);
            Assert.All(differences, d => Assert.True(d.Value <= 1e-5, $"batch {batch} {d.Key}: max |ORT − TorchSharp| {d.Value:E3}"));
        }
    }

    [Fact]
    public void BatchDimensionIsSymbolicSoOneSessionRunsAnyBatchSize()
    {
        using var encoder = ExportFixtures.WithBatchNormStatistics();
        using var images = ExportFixtures.FashionImages(8);
        using var session = new InferenceSession(OnnxExporter.Export(encoder));
        var input = session.InputMetadata[OnnxExporter.InputName];
        Assert.Equal(new[] { -1, 1, 28, 28 }, input.Dimensions);
        Assert.Equal("N", input.SymbolicDimensions[0]);
        Assert.Equal(new[] { -1, 16 }, session.OutputMetadata[OnnxExporter.EmbeddingOutput].Dimensions);

        foreach (var batch in new[] { 3, 5 })
        {
            using var rows = images.narrow(0, 0, batch);
            var (shape, values) = ExportFixtures.RunOnnx(session, rows)[OnnxExporter.EmbeddingOutput];
            Assert.Equal(new long[] { batch, 16 }, shape);
            for (var r = 0; r < batch; r++)
            {
                var norm = Math.Sqrt(values.AsSpan(r * 16, 16).ToArray().Sum(v => (double)v * v));
                Assert.Equal(1, norm, 5);
            }

            Assert.True(ExportFixtures.Differences(session, encoder, rows)[OnnxExporter.EmbeddingOutput] <= 1e-5);
        }
    }

    [SkippableFact]
    public void DebiansOnnxCheckerAcceptsTheFileAsIr8Opset17()
    {
        const string python = "/usr/bin/python3";
        var hasOnnx = File.Exists(python) && RunPython(python, "-c", "import onnx").ExitCode == 0;
        if (!hasOnnx)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI must have python3-onnx (see .ci/install)");
            Skip.If(true, "Debian's python3-onnx is not installed (apt-get install python3-onnx)");
        }

        using var encoder = ExportFixtures.WithBatchNormStatistics();
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, OnnxExporter.Export(encoder, AllOutputs, [new("name", "tiny")]));
        const string check = "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.ir_version, m.opset_import[0].version)";
        var (exitCode, stdout, stderr) = RunPython(python, "-c", check, path);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal("8 17", stdout.Trim());
    }

    [Fact]
    public void GraphHasBatchNormFoldedAndExplicitPoolStridesAndRawLittleEndianWeights()
    {
        using var encoder = ExportFixtures.WithBatchNormStatistics();
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.Export(encoder, null, [new("dataset", "fashion-mnist")]));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("fashion-mnist", Assert.Single(model.MetadataProps).Value);

        string[] expected =
        [
            "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Conv", "Relu", "Conv", "Relu", "Conv", "Relu", "MaxPool",
            "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "ReduceL2", "Max", "Div",
        ];
        Assert.Equal(expected, model.Graph.Node.Select(n => n.OpType));
        Assert.All(model.Graph.Node.Where(n => n.OpType == "MaxPool"), n =>
            Assert.Equal(new long[] { 2, 2 }, n.Attribute.Single(a => a.Name == "strides").Ints));
        Assert.Equal(new long[] { 1 }, model.Graph.Node.Single(n => n.OpType == "ReduceL2").Attribute.Single(a => a.Name == "axes").Ints);

        foreach (var initializer in model.Graph.Initializer)
        {
            Assert.Equal((int)TensorProto.Types.DataType.Float, initializer.DataType);
            Assert.Empty(initializer.FloatData);
            Assert.Equal(4 * initializer.Dims.Aggregate(1L, (a, d) => a * d), initializer.RawData.Length);
        }

        // Folding changed conv1: its weights are the raw ones scaled per channel, and it gained a non-zero bias.
        var conv1 = model.Graph.Initializer.Single(i => i.Name == "conv1.weight");
        var raw = encoder.ConvBlocks[0].Conv.weight!.data<float>().ToArray();
        Assert.NotEqual(raw, FloatsOf(conv1));
        Assert.Contains(FloatsOf(model.Graph.Initializer.Single(i => i.Name == "conv1.bias")), b => Math.Abs(b) > 1e-3);
    }

    [Fact]
    public void OutputsAreTheEmbeddingFirstThenRequestedLayersAndUnknownNamesAreRefused()
    {
        Assert.Equal(["embedding"], OnnxExporter.ResolveOutputs(null));
        Assert.Equal(["embedding", "fc7", "conv5"], OnnxExporter.ResolveOutputs(["conv5", "fc7"]));
        var error = Assert.Throws<HypersphereException>(() => OnnxExporter.ResolveOutputs(["fc6"]));
        Assert.Equal(ErrorKind.InvalidInput, error.Kind);
        Assert.Contains("'fc6'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainModeEncoderIsRefusedBecauseFoldingUsesRunningStatistics()
    {
        using var encoder = ExportFixtures.Fresh();
        encoder.train();
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(encoder));
    }

    private static float[] FloatsOf(TensorProto tensor) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

    private static (int ExitCode, string Stdout, string Stderr) RunPython(string python, params string[] arguments)
    {
        var start = new ProcessStartInfo(python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
