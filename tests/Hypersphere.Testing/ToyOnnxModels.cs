using System.Diagnostics;
using Hypersphere.Core.IO;
using Xunit;

namespace Hypersphere.Testing;

/// <summary>
/// Small encoders written by Debian's python3-onnx, not by our exporter: images [N, 1, 8, 8] → Flatten →
/// MatMul(W) = "fc7" [N, 16] → ReduceL2(keepdims) → Max(·, 1e-12) → Div = "embedding" [N, 16]. IR 8,
/// opset 17, symbolic batch. One model per seed, so models of different seeds compute different embeddings;
/// W (drawn from the seed) is saved beside each as .npy so tests compute the same math independently.
/// Built once per fixture; tests copy the files into their own folders. Without python3-onnx the tests that
/// need a model skip, except on CI (CI=true), where that is a failure.
/// </summary>
public sealed class ToyOnnxModels : IDisposable
{
    public const int Channels = 1, Height = 8, Width = 8, Dim = 16, ImageSize = Channels * Height * Width;
    public const int IrVersion = 8, Opset = 17;
    public const string InputName = "images", EmbeddingName = "embedding", Fc7Name = "fc7";

    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys
        import numpy as np
        import onnx
        from onnx import helper, TensorProto, numpy_helper

        out, c, h, w, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        for seed in [int(s) for s in sys.argv[6:]]:
            weights = np.random.default_rng(seed).normal(0.0, 0.3, size=(c * h * w, d)).astype(np.float32)
            np.save(f"{out}/W{seed}.npy", weights)
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
            onnx.save(model, f"{out}/model{seed}.onnx")
        """;

    private readonly TempFolder _folder = new();
    private readonly Dictionary<int, double[]> _weights = [];
    private readonly string? _unavailable;

    /// <summary>Builds one model per seed in <paramref name="seeds"/> (numpy's default_rng draws W).</summary>
    public ToyOnnxModels(params int[] seeds)
    {
        try
        {
            var start = new ProcessStartInfo(Python)
            {
                ArgumentList = { "-c", Script, _folder.Path, $"{Channels}", $"{Height}", $"{Width}", $"{Dim}" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var seed in seeds)
            {
                start.ArgumentList.Add($"{seed}");
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                _unavailable = $"{Python} could not build the toy models (is python3-onnx installed? apt-get install python3-onnx): {stderr.Result}";
                return;
            }

            foreach (var seed in seeds)
            {
                _weights[seed] = NpyFile.ReadMatrix(_folder.File($"W{seed}.npy")).Values;
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _unavailable = $"{Python} cannot be run ({e.Message}); install python3-onnx";
        }
    }

    public bool Available => _unavailable is null;

    /// <summary>Skips the calling test where python3-onnx is missing, except on CI (CI=true), where that is a failure.</summary>
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

    /// <summary>The seed's ONNX file, as python wrote it.</summary>
    public string OnnxPath(int seed) => _folder.File($"model{seed}.onnx");

    /// <summary>The seed's W, (C·H·W)×D row-major, as python wrote it.</summary>
    public double[] Weights(int seed) => _weights[seed];

    /// <summary>Copies the seed's model to <paramref name="directory"/>/model.onnx (creating the folder) and returns that path.</summary>
    public string CopyModel(int seed, string directory)
    {
        Require();
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, "model.onnx");
        File.Copy(OnnxPath(seed), onnx, overwrite: true);
        return onnx;
    }

    /// <summary>
    /// The seed's model math in float64: fc7 = x·W, embedding = fc7 / max(‖fc7‖, 1e-12), each
    /// <paramref name="batch"/>×<see cref="Dim"/> row-major.
    /// </summary>
    public (double[] Embedding, double[] Fc7) Reference(int seed, ReadOnlySpan<float> pixels, int batch)
    {
        var w = _weights[seed];
        var fc7 = new double[batch * Dim];
        var embedding = new double[batch * Dim];
        for (var n = 0; n < batch; n++)
        {
            for (var j = 0; j < Dim; j++)
            {
                double sum = 0;
                for (var k = 0; k < ImageSize; k++)
                {
                    sum += pixels[(n * ImageSize) + k] * w[(k * Dim) + j];
                }

                fc7[(n * Dim) + j] = sum;
            }

            var norm = Math.Max(Math.Sqrt(fc7.AsSpan(n * Dim, Dim).ToArray().Sum(v => v * v)), 1e-12);
            for (var j = 0; j < Dim; j++)
            {
                embedding[(n * Dim) + j] = fc7[(n * Dim) + j] / norm;
            }
        }

        return (embedding, fc7);
    }

    public void Dispose() => _folder.Dispose();
}
