using System.Diagnostics;
using System.Security.Cryptography;
using Hypersphere.Core.IO;

namespace Hypersphere.Inference.Tests.Support;

/// <summary>
/// A small encoder written by Debian's python3-onnx, not by our exporter: images [N, 1, 8, 8] →
/// Flatten → MatMul(W) = "fc7" [N, 16] → ReduceL2(keepdims) → Max(·, 1e-12) → Div = "embedding".
/// IR 8, opset 17, symbolic batch. W (seeded) is saved beside it as W.npy so tests can compute the
/// same math independently. Built once per test class; tests copy it into their own folders.
/// </summary>
public sealed class ToyModel : IDisposable
{
    public const int Channels = 1, Height = 8, Width = 8, Dim = 16;
    public const string InputName = "images", EmbeddingName = "embedding", Fc7Name = "fc7";

    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys
        import numpy as np
        import onnx
        from onnx import helper, TensorProto, numpy_helper

        out, c, h, w, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        rng = np.random.default_rng(1234)
        weights = rng.normal(0.0, 0.3, size=(c * h * w, d)).astype(np.float32)
        np.save(out + "/W.npy", weights)
        nodes = [
            helper.make_node("Flatten", ["images"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "W"], ["fc7"]),
            helper.make_node("ReduceL2", ["fc7"], ["norm"], axes=[1], keepdims=1),
            helper.make_node("Max", ["norm", "eps"], ["safe_norm"]),
            helper.make_node("Div", ["fc7", "safe_norm"], ["embedding"]),
        ]
        graph = helper.make_graph(
            nodes, "toy",
            [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", c, h, w])],
            [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", d]),
             helper.make_tensor_value_info("fc7", TensorProto.FLOAT, ["N", d])],
            [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hypersphere-tests")
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, out + "/model.onnx")
        """;

    private readonly TempFolder _folder = new();
    private readonly string? _unavailable;

    public ToyModel()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Python)
            {
                ArgumentList = { "-c", Script, _folder.Path, $"{Channels}", $"{Height}", $"{Width}", $"{Dim}" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                _unavailable = $"{Python} could not build the test model (is python3-onnx installed? apt-get install python3-onnx): {stderr.Result}";
                return;
            }

            var w = NpyFile.ReadMatrix(_folder.File("W.npy"));
            Weights = w.Values;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _unavailable = $"{Python} cannot be run ({e.Message}); install python3-onnx";
        }
    }

    /// <summary>W, (C·H·W)×D row-major, as python wrote it.</summary>
    public double[] Weights { get; } = [];

    public string OnnxPath => _folder.File("model.onnx");

    /// <summary>Skips the test where python3-onnx is missing, except on CI (CI=true), where that is a failure.</summary>
    public void Require()
    {
        if (_unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(_unavailable);
        }

        Skip.If(true, _unavailable);
    }

    /// <summary>Copies the model into <paramref name="directory"/> with a matching card (changed by <paramref name="edit"/>).</summary>
    public string WriteFolder(string directory, Func<ModelCard, ModelCard>? edit = null)
    {
        Require();
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, "model.onnx");
        File.Copy(OnnxPath, onnx, overwrite: true);
        var card = CardFor(onnx);
        ModelCardFile.Write(Path.Combine(directory, ModelCard.FileName), edit is null ? card : edit(card));
        return directory;
    }

    /// <summary>A card that describes the file at <paramref name="onnxPath"/> (its size and sha256 as computed here).</summary>
    public static ModelCard CardFor(string onnxPath)
    {
        var bytes = File.ReadAllBytes(onnxPath);
        return new ModelCard(
            "toy",
            "1",
            DateTimeOffset.UnixEpoch,
            new InputSpec(Channels, Height, Width, [0.25f], [0.5f], "stretch"),
            Dim,
            new OnnxSpec("model.onnx", Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, 8, 17, InputName, [EmbeddingName, Fc7Name]),
            new TrainingSpec("toy", "align_uniform", new Dictionary<string, double> { ["alpha"] = 2, ["t"] = 2 }, 1, 4, 1, 7, null),
            null);
    }

    /// <summary>The model's math in float64: x·W, then divided by max(‖x·W‖, 1e-12).</summary>
    public (double[] Embedding, double[] Fc7) Reference(ReadOnlySpan<float> pixels, int batch)
    {
        const int features = Channels * Height * Width;
        var fc7 = new double[batch * Dim];
        var embedding = new double[batch * Dim];
        for (var n = 0; n < batch; n++)
        {
            for (var j = 0; j < Dim; j++)
            {
                double sum = 0;
                for (var k = 0; k < features; k++)
                {
                    sum += pixels[(n * features) + k] * Weights[(k * Dim) + j];
                }

                fc7[(n * Dim) + j] = sum;
            }

            var norm = Math.Sqrt(fc7.AsSpan(n * Dim, Dim).ToArray().Sum(v => v * v));
            for (var j = 0; j < Dim; j++)
            {
                embedding[(n * Dim) + j] = fc7[(n * Dim) + j] / Math.Max(norm, 1e-12);
            }
        }

        return (embedding, fc7);
    }

    public void Dispose() => _folder.Dispose();
}
