namespace Hypersphere.Inference;

/// <summary>
/// Orders version folder names the way people read them: runs of digits compare as numbers
/// (<c>9 &lt; 10</c>, <c>1.9 &lt; 1.10</c>, <c>v2 &lt; v10</c>), everything else ordinally. Names that compare
/// equal as numbers (<c>7</c> and <c>007</c>) fall back to ordinal order, so the order is total.
/// </summary>
public sealed class VersionComparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static VersionComparer Instance { get; } = new();

    private VersionComparer()
    {
    }

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var a = DigitRun(x, ref i);
                var b = DigitRun(y, ref j);
                // Without leading zeros, a longer run is a larger number; equal lengths compare digit by digit.
                var byNumber = a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.CompareTo(b, StringComparison.Ordinal);
                if (byNumber != 0)
                {
                    return byNumber;
                }
            }
            else
            {
                var byChar = x[i].CompareTo(y[j]);
                if (byChar != 0)
                {
                    return byChar;
                }

                i++;
                j++;
            }
        }

        var byRest = (x.Length - i).CompareTo(y.Length - j);
        return byRest != 0 ? byRest : string.CompareOrdinal(x, y);
    }

    private static ReadOnlySpan<char> DigitRun(string s, ref int index)
    {
        var start = index;
        while (index < s.Length && char.IsAsciiDigit(s[index]))
        {
            index++;
        }

        var run = s.AsSpan(start, index - start).TrimStart('0');
        return run;
    }
}
