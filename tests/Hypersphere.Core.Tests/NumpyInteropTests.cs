using System.Globalization;
using System.Text.Json;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Tests;

/// <summary>.npy files written by real NumPy are read correctly, and NumPy reads ours.</summary>
public class NumpyInteropTests
{
    private const int Rows = 130, Cols = 17;

    private const string WriteFiles = """
        import sys
        import numpy as np
        folder = sys.argv[1]
        a = (np.arange(130 * 17, dtype=np.float64).reshape(130, 17) - 1000) / 7
        np.save(folder + "/c_f8.npy", a)
        np.save(folder + "/fortran_f8.npy", np.asfortranarray(a))
        np.save(folder + "/big_f8.npy", a.astype(">f8"))
        np.save(folder + "/c_f4.npy", a.astype(np.float32))
        np.save(folder + "/fortran_big_f4.npy", np.asfortranarray(a.astype(">f4")))
        with open(folder + "/v2_f8.npy", "wb") as f:
            np.lib.format.write_array(f, a, version=(2, 0))
        labels = np.arange(7, dtype=np.int64) * 3 - 4
        np.save(folder + "/labels_i8.npy", labels)
        np.save(folder + "/labels_n1.npy", labels.reshape(7, 1))
        np.save(folder + "/labels_big_i4.npy", labels.astype(">i4"))
        np.save(folder + "/cube.npy", np.zeros((2, 2, 2)))
        np.save(folder + "/ints.npy", np.arange(6, dtype=np.int64).reshape(2, 3))
        assert not np.load(folder + "/c_f8.npy").flags.f_contiguous
        assert np.load(folder + "/fortran_f8.npy").flags.f_contiguous
        """;

    private const string ReadFiles = """
        import json, sys
        import numpy as np
        out = {}
        for name in sys.argv[1:]:
            a = np.load(name, allow_pickle=False)
            out[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "values": a.astype(np.float64).ravel().tolist()}
        print(json.dumps(out))
        """;

    [SkippableFact]
    public void ReadsFloatArraysWrittenByNumpyInEveryLayout()
    {
        using var folder = new TempFolder();
        NumpyProcess.Run(WriteFiles, folder.Path);
        var expected = Enumerable.Range(0, Rows * Cols).Select(i => (i - 1000) / 7.0).ToArray();
        var expectedSingle = Array.ConvertAll(expected, v => (double)(float)v);
        foreach (var (name, want) in new[]
        {
            ("c_f8.npy", expected), ("fortran_f8.npy", expected), ("big_f8.npy", expected), ("v2_f8.npy", expected),
            ("c_f4.npy", expectedSingle), ("fortran_big_f4.npy", expectedSingle),
        })
        {
            var m = NpyFile.ReadMatrix(folder.File(name));
            Assert.Equal((Rows, Cols), (m.Rows, m.Cols));
            Assert.True(want.SequenceEqual(m.Values), $"{name}: values differ from (arange(2210) − 1000) / 7");
        }
    }

    [SkippableFact]
    public void ReadsIntegerLabelsWrittenByNumpy()
    {
        using var folder = new TempFolder();
        NumpyProcess.Run(WriteFiles, folder.Path);
        long[] expected = [-4, -1, 2, 5, 8, 11, 14];
        foreach (var name in new[] { "labels_i8.npy", "labels_n1.npy", "labels_big_i4.npy" })
        {
            Assert.Equal(expected, NpyFile.ReadIntegers(folder.File(name)));
        }
    }

    [SkippableFact]
    public void RefusesNumpyArraysThatAreNotFloatMatrices()
    {
        using var folder = new TempFolder();
        NumpyProcess.Run(WriteFiles, folder.Path);
        var cube = Assert.Throws<Errors.HypersphereException>(() => NpyFile.ReadMatrix(folder.File("cube.npy")));
        Assert.Contains("(2, 2, 2)", cube.Message, StringComparison.Ordinal);
        var ints = Assert.Throws<Errors.HypersphereException>(() => NpyFile.ReadMatrix(folder.File("ints.npy")));
        Assert.Contains("'<i8'", ints.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void NumpyReadsTheFilesWeWrite()
    {
        using var folder = new TempFolder();
        var values = Enumerable.Range(0, Rows * Cols).Select(i => Math.Sqrt(i) - 20).ToArray();
        var singles = Array.ConvertAll(values, v => (float)v);
        NpyFile.Write(folder.File("f8.npy"), values, Rows, Cols);
        NpyFile.Write(folder.File("f4.npy"), singles, Rows, Cols);
        using var json = JsonDocument.Parse(NumpyProcess.Run(ReadFiles, folder.File("f8.npy"), folder.File("f4.npy")));

        var f8 = json.RootElement.GetProperty(folder.File("f8.npy"));
        Assert.Equal("<f8", f8.GetProperty("dtype").GetString());
        Assert.Equal([Rows, Cols], f8.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(values, f8.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()));

        var f4 = json.RootElement.GetProperty(folder.File("f4.npy"));
        Assert.Equal("<f4", f4.GetProperty("dtype").GetString());
        Assert.Equal(Array.ConvertAll(singles, s => (double)s), f4.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(Rows.ToString(CultureInfo.InvariantCulture), f4.GetProperty("shape")[0].GetRawText());
    }
}
