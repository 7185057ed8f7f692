namespace Hypersphere.Reports;

/// <summary>Reads run and model folders and builds the runs report.</summary>
public static class RunsReport
{
    /// <summary>Reads one folder: a run folder (<c>eval.json</c> and/or <c>train.jsonl</c>) or a model folder (<c>model.json</c>).</summary>
    /// <exception cref="Core.Errors.HypersphereException">The folder is neither, or its files do not parse.</exception>
    public static RunSummary Read(string folder) => throw new NotImplementedException();

    /// <summary>The alignment–uniformity plane of all <paramref name="runs"/> and the training curves of those with epochs.</summary>
    public static RunsDocument Build(IReadOnlyList<RunSummary> runs) => throw new NotImplementedException();
}
