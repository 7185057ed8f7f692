using System.Text.Json;
using Hypersphere.Core.Errors;
using Hypersphere.Core.IO;

namespace Hypersphere.Core.Metrics;

/// <summary>
/// One shard's share of the exact uniformity pass (<see cref="Uniformity.ComputeShard"/>), as written to its partial
/// file: small (three numbers a row block) and stamped with everything a merge must find equal.
/// </summary>
/// <param name="FormatVersion">Layout of this record; a merge refuses any other.</param>
/// <param name="Sha256">Hex SHA-256 of the embeddings file's bytes.</param>
/// <param name="N">Rows.</param>
/// <param name="Dim">Dimension d.</param>
/// <param name="T">Kernel width.</param>
/// <param name="Precision">Kernel arithmetic the shard used.</param>
/// <param name="Normalized">Whether rows were L2-normalised on reading.</param>
/// <param name="Shards">Shard count k.</param>
/// <param name="Shard">This shard i, 0-based.</param>
/// <param name="Blocks">The shard's row blocks, in order.</param>
public sealed record UniformityPartial(
    int FormatVersion,
    string Sha256,
    int N,
    int Dim,
    double T,
    KernelPrecision Precision,
    bool Normalized,
    int Shards,
    int Shard,
    IReadOnlyList<BlockState> Blocks)
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions StrictJson = CreateStrictJson();

    /// <summary>The record as snake_case JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, StrictJson);

    /// <summary>
    /// Parses a partial file's bytes; <paramref name="source"/> names it in errors. A file of another format version, or
    /// one that is not this record (unknown or missing fields, wrong types), is refused with what was expected.
    /// </summary>
    public static UniformityPartial Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            using (var document = JsonDocument.Parse(json.ToArray()))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("format_version", out var version)
                    || version.ValueKind != JsonValueKind.Number)
                {
                    throw new HypersphereException(ErrorKind.BadRequest, $"'{source}' is not a uniformity partial: expected a JSON object with format_version {CurrentFormatVersion}");
                }

                if (!version.TryGetInt32(out var v) || v != CurrentFormatVersion)
                {
                    throw new HypersphereException(ErrorKind.BadRequest, $"'{source}' has format_version {version.GetRawText()}; this build reads format_version {CurrentFormatVersion} (write the partials with the same hypersphere version)");
                }
            }

            return JsonSerializer.Deserialize<UniformityPartial>(json, StrictJson)
                ?? throw new HypersphereException(ErrorKind.BadRequest, $"'{source}' is null; expected a uniformity partial");
        }
        catch (JsonException e)
        {
            throw new HypersphereException(ErrorKind.BadRequest, $"'{source}' is not a valid uniformity partial ({e.Message}); expected the JSON a shard writes", e);
        }
    }

    private static JsonSerializerOptions CreateStrictJson()
    {
        // One line: a shard of N = 10⁷ rows holds thousands of blocks.
        var options = SnakeCaseJson.Create(indented: false);
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
        options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>One row block's share of the exact pass: Σ exp(v) over its pairs as (max, Σ exp(v − max)).</summary>
/// <param name="Block">Row block index (rows 128·block onwards).</param>
/// <param name="Max">Largest exponent; null when the block has no pairs.</param>
/// <param name="Sum">Σ exp(v − max).</param>
/// <param name="Pairs">Pairs i &lt; j whose row i is in the block.</param>
public sealed record BlockState(int Block, double? Max, double Sum, long Pairs);

/// <summary>The exact uniformity merged from all shards.</summary>
/// <param name="N">Rows.</param>
/// <param name="Dim">Dimension d.</param>
/// <param name="T">Kernel width.</param>
/// <param name="Precision">Kernel arithmetic.</param>
/// <param name="Pairs">N(N − 1)/2.</param>
/// <param name="Uniformity">L_uniform.</param>
/// <param name="Shards">Shards merged.</param>
/// <param name="Sha256">Hex SHA-256 of the embeddings file.</param>
public sealed record UniformityMerge(int N, int Dim, double T, KernelPrecision Precision, long Pairs, double Uniformity, int Shards, string Sha256);
