namespace Hypersphere.Core.Quality;

/// <summary>Turns class labels of any spelling into dense class ids.</summary>
public static class LabelSet
{
    /// <summary>Maps each distinct label to an id in order of first appearance.</summary>
    public static int[] ToIds(IReadOnlyList<string> labels)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new int[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            if (!ids.TryGetValue(labels[i], out var id))
            {
                id = ids.Count;
                ids[labels[i]] = id;
            }

            result[i] = id;
        }

        return result;
    }
}
