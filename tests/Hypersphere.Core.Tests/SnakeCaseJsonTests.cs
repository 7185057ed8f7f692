using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Tests;

/// <summary>The project's one JSON convention, as every serializer gets it.</summary>
public class SnakeCaseJsonTests
{
    [Fact]
    public void NamesAreSnakeCaseNullsAreWrittenAndEnumsAreWords()
    {
        var json = JsonSerializer.Serialize(new Sample(3, null, ErrorKind.TooLarge), SnakeCaseJson.Compact);
        Assert.Equal("""{"row_count":3,"missing_value":null,"error_kind":"too_large"}""", json);
    }

    [Fact]
    public void QuotedNumbersAreRefused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sample>("""{"row_count":"3","missing_value":null,"error_kind":"not_found"}""", SnakeCaseJson.Compact));
    }

    [Fact]
    public void IndentedDiffersOnlyInLayout()
    {
        var value = new Sample(7, 0.5, ErrorKind.BadRequest);
        var indented = JsonSerializer.Serialize(value, SnakeCaseJson.Indented);
        Assert.Contains('\n', indented);
        Assert.Equal(JsonSerializer.Serialize(value, SnakeCaseJson.Compact), JsonSerializer.Serialize(JsonDocument.Parse(indented).RootElement));
    }

    [Fact]
    public void ApplyGivesOptionsFromElsewhereTheSameConvention()
    {
        var elsewhere = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        SnakeCaseJson.Apply(elsewhere);
        var value = new Sample(1, 2, ErrorKind.NotReady);
        Assert.Equal(JsonSerializer.Serialize(value, SnakeCaseJson.Compact), JsonSerializer.Serialize(value, elsewhere));
    }

    [Fact]
    public void SharedOptionsCannotBeChangedByOneCaller()
    {
        Assert.True(SnakeCaseJson.Compact.IsReadOnly);
        Assert.True(SnakeCaseJson.Indented.IsReadOnly);
        Assert.False(SnakeCaseJson.Create(indented: false).IsReadOnly);
    }

    private sealed record Sample(int RowCount, double? MissingValue, ErrorKind ErrorKind);
}
