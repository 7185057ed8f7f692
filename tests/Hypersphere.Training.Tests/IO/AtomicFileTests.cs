using Hypersphere.Core.IO;

namespace Hypersphere.Training.Tests.IO;

/// <summary>The one temp-then-rename writer the checkpoint, the .npy writer and the model export share.</summary>
public class AtomicFileTests
{
    [Fact]
    public void ReplacesTheFileAndLeavesNoTempFileBehind()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        AtomicFile.Write(path, [4, 5]);

        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriterThatFailsHalfwayLeavesTheOldFileAndNoTempFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9, 9, 9]);
            throw new InvalidOperationException("disk full");
        }));

        Assert.Equal("disk full", error.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void TheTempFileIsHiddenInTheSameFolderAndUniquePerCall()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.json");
        var a = AtomicFile.TempPathBeside(path);
        var b = AtomicFile.TempPathBeside(path);

        Assert.Equal(folder.Path, Path.GetDirectoryName(a));
        Assert.StartsWith(".model.json.tmp-", Path.GetFileName(a), StringComparison.Ordinal);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void CreateDurablyRefusesToOverwrite()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.bin");
        File.WriteAllBytes(path, [1]);

        Assert.Throws<IOException>(() => AtomicFile.CreateDurably(path, stream => stream.Write([2])));
        Assert.Equal([1], File.ReadAllBytes(path));
    }
}
