using System.Diagnostics;
using System.Security.Cryptography;
using Hypersphere.Core.IO;
using Hypersphere.Inference;

namespace Hypersphere.Service.Tests.Support;

/// <summary>
/// Small encoders written by Debian's python3-onnx (not by our exporter): images [N, 1, 8, 8] → Flatten →
/// MatMul(W) = fc7 [N, 16] → ReduceL2 → Max(·, 1e-12) → Div = embedding [N, 16]. IR 8, opset 17, symbolic
/// batch. One model per seed, so two versions of "toy" compute different embeddings; W is saved as .npy so
/// tests compute the same math in C# independently. Without python3-onnx the tests that need a model skip,
/// except on CI (CI=true), where that is a failure.
/// </summary>
public sealed class ToyModels : IDisposable
{
    public const int Channels = 1, Height = 8, Width = 8, Dim = 16, ImageSize = Channels * Height * Width;
    public const float Mean = 0.25f, Std = 0.5f;
    public static readonly int[] Seeds = [1, 2];

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
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hypersphere-service-tests")
            model.ir_version = 8
            onnx.checker.check_model(model)
            onnx.save(model, f"{out}/model{seed}.onnx")
        """;

    private readonly TempFolder _folder = new();
    private readonly Dictionary<int, double[]> _weights = [];
    private readonly string? _unavailable;

    public ToyModels()
    {
        try
        {
            var start = new ProcessStartInfo(Python)
            {
                ArgumentList = { "-c", Script, _folder.Path, $"{Channels}", $"{Height}", $"{Width}", $"{Dim}" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var seed in Seeds)
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

            foreach (var seed in Seeds)
            {
                _weights[seed] = NpyFile.ReadMatrix(Path.Combine(_folder.Path, $"W{seed}.npy")).Values;
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _unavailable = $"{Python} cannot be run ({e.Message}); install python3-onnx";
        }
    }

    public bool Available => _unavailable is null;

    /// <summary>Skips the calling test where python3-onnx is missing; fails it on CI.</summary>
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

    /// <summary>Writes models/<paramref name="name"/>/<paramref name="version"/> with the seed's ONNX file and a card that matches it (sha256, size).</summary>
    public string WriteVersion(string modelsRoot, string name, string version, int seed, Func<ModelCard, ModelCard>? edit = null)
    {
        Require();
        var directory = Path.Combine(modelsRoot, name, version);
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, "model.onnx");
        File.Copy(Path.Combine(_folder.Path, $"model{seed}.onnx"), onnx, overwrite: true);
        var card = CardFor(onnx, name, version);
        ModelCardFile.Write(Path.Combine(directory, ModelCard.FileName), edit is null ? card : edit(card));
        return directory;
    }

    public static ModelCard CardFor(string onnxPath, string name, string version)
    {
        var bytes = File.ReadAllBytes(onnxPath);
        return new ModelCard(
            name,
            version,
            DateTimeOffset.UnixEpoch,
            new InputSpec(Channels, Height, Width, [Mean], [Std], "stretch"),
            Dim,
            new OnnxSpec("model.onnx", Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, 8, 17, "images", ["embedding", "fc7"]),
            new TrainingSpec("toy", "align_uniform", new Dictionary<string, double> { ["alpha"] = 2, ["t"] = 2 }, 1, 4, 1, 7, null),
            new EvaluationSpec(0.5, 0.6, 0.7, 0.8, -3.1));
    }

    /// <summary>The model's math in float64 for the seed's W: x·W divided by max(‖x·W‖, 1e-12), one row per image.</summary>
    public double[][] Reference(int seed, ReadOnlySpan<float> pixels, int batch)
    {
        var w = _weights[seed];
        var rows = new double[batch][];
        for (var n = 0; n < batch; n++)
        {
            var fc7 = new double[Dim];
            for (var j = 0; j < Dim; j++)
            {
                for (var k = 0; k < ImageSize; k++)
                {
                    fc7[j] += pixels[(n * ImageSize) + k] * w[(k * Dim) + j];
                }
            }

            var norm = Math.Max(Math.Sqrt(fc7.Sum(v => v * v)), 1e-12);
            rows[n] = fc7.Select(v => v / norm).ToArray();
        }

        return rows;
    }

    /// <summary>Preprocessing of 8-bit gray pixels as the card says: (byte / 255 − mean) / std in float32.</summary>
    public static float[] Preprocess(byte[] gray) => gray.Select(b => ((b / 255f) - Mean) / Std).ToArray();

    public void Dispose() => _folder.Dispose();
}
