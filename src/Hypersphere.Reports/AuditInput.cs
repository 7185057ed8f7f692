using Hypersphere.Core.Embeddings;
using Hypersphere.Core.Quality;

namespace Hypersphere.Reports;

/// <summary>One batch of embeddings to audit, with the quality report Core computed on it.</summary>
/// <param name="Embeddings">The embeddings (unit rows).</param>
/// <param name="Positives">Positive views paired row for row; null when none were given.</param>
/// <param name="Labels">Class label of each row, as the user spelled it; null when none were given.</param>
/// <param name="Report">Core's report on exactly these inputs (what <c>quality</c> prints).</param>
/// <param name="Title">Heading of the report (user text: escaped wherever it is shown).</param>
/// <param name="Sources">Where the inputs came from (file names, a model id), shown under the title.</param>
public sealed record AuditInput(
    EmbeddingMatrix Embeddings,
    EmbeddingMatrix? Positives,
    IReadOnlyList<string>? Labels,
    QualityReport Report,
    string Title = "Embedding audit",
    IReadOnlyList<string>? Sources = null);

/// <summary>Settings of a report.</summary>
/// <param name="MaxCosinePairs">
/// All-pair cosine histogram: above this many pairs, a seeded uniform sample of this many. 50 000 draws put about
/// 2 500 in each central bin of the histogram (±2 %): the picture is the same as with all pairs, at a few ms.
/// </param>
/// <param name="Seed">Seed of every sample the report draws.</param>
public sealed record ReportOptions(int MaxCosinePairs = 50_000, int Seed = 0);
