using Microsoft.Net.Http.Headers;

namespace Hypersphere.Service.Api;

/// <summary>
/// Chooses between the JSON answer and the HTML report of <c>POST /v1/quality</c> from the Accept header. JSON is the
/// default: no Accept, <c>*/*</c>, <c>application/json</c>, a header that does not parse, or a tie. HTML only when an
/// HTML range (<c>text/html</c>, <c>text/*</c>) has a higher quality than every range JSON matches
/// (<c>application/json</c>, <c>application/*</c>, <c>*/*</c>), as a browser's Accept header has.
/// </summary>
public static class ReportNegotiation
{
    /// <summary>Whether the client prefers the HTML report to JSON.</summary>
    public static bool WantsHtml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        var html = Quality(accepted, "text", "html");
        var json = Quality(accepted, "application", "json");
        return html > 0 && html > json;
    }

    /// <summary>The quality the most specific matching range gives type/subtype (RFC 9110 §12.5.1), −1 when none matches.</summary>
    private static double Quality(IList<MediaTypeHeaderValue> accepted, string type, string subtype)
    {
        var best = (Specificity: -1, Quality: -1.0);
        foreach (var range in accepted)
        {
            var specificity = range.MatchesAllTypes ? 0
                : !range.Type.Equals(type, StringComparison.OrdinalIgnoreCase) ? -1
                : range.MatchesAllSubTypes ? 1
                : range.SubType.Equals(subtype, StringComparison.OrdinalIgnoreCase) ? 2
                : -1;
            var quality = range.Quality ?? 1.0;
            if (specificity > best.Specificity || (specificity == best.Specificity && specificity >= 0 && quality > best.Quality))
            {
                best = (specificity, quality);
            }
        }

        return best.Quality;
    }
}
