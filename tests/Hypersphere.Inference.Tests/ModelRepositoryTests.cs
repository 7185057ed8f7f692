using Hypersphere.Core.Errors;
using Hypersphere.Inference.Tests.Support;

namespace Hypersphere.Inference.Tests;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void VersionsAreOrderedNumericallySoTenIsLatest()
    {
        foreach (var v in new[] { "10", "9", "2", "1" })
        {
            Version("enc", v);
        }

        var models = new ModelRepository(_temp.Path).Scan();

        var model = Assert.Single(models);
        Assert.Equal(["1", "2", "9", "10"], model.Versions);
        Assert.Equal("10", model.Latest);
    }

    [Theory]
    [InlineData("1.9", "1.10")]
    [InlineData("v2", "v10")]
    [InlineData("2024-9-1", "2024-10-1")]
    [InlineData("1", "1a")]
    [InlineData("9", "010")]
    [InlineData("a", "b")]
    public void ComparerPutsTheFirstBeforeTheSecond(string lower, string higher)
    {
        Assert.True(VersionComparer.Instance.Compare(lower, higher) < 0, $"{lower} < {higher}");
        Assert.True(VersionComparer.Instance.Compare(higher, lower) > 0, $"{higher} > {lower}");
    }

    [Fact]
    public void ComparerIsATotalOrderOnNumericallyEqualNames()
    {
        Assert.NotEqual(0, VersionComparer.Instance.Compare("7", "007"));
        Assert.Equal(0, VersionComparer.Instance.Compare("7", "7"));
    }

    [Fact]
    public void ScanSkipsHiddenFoldersFoldersWithoutCardsAndEmptyNames()
    {
        Version("a", "1");
        Version("a", ".2-staging");
        _temp.Folder("a", "3"); // no card yet
        _temp.Folder("empty", "1");
        Version(".hidden", "1");
        Version("b", "1");

        var models = new ModelRepository(_temp.Path).Scan();

        Assert.Equal(["a", "b"], models.Select(m => m.Name));
        Assert.Equal(["1"], models[0].Versions);
    }

    [Fact]
    public void MissingRootIsNotFound()
    {
        var e = Assert.Throws<HypersphereException>(() => new ModelRepository(_temp.File("none")).Scan());

        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void ResolveFolderTakesAVersionFolderAsItIsAndANameFolderAtItsLatest()
    {
        var nine = Version("enc", "9");
        var ten = Version("enc", "10");

        Assert.Equal(nine, ModelRepository.ResolveFolder(nine));
        Assert.Equal(ten, ModelRepository.ResolveFolder(Path.Combine(_temp.Path, "enc")));
    }

    private string Version(string name, string version)
    {
        var dir = _temp.Folder(name, version);
        File.WriteAllText(Path.Combine(dir, ModelCard.FileName), "{}");
        return dir;
    }
}
