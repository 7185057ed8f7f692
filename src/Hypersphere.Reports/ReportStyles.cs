namespace Hypersphere.Reports;

/// <summary>The stylesheet of the reports: inlined in <see cref="AuditDocument.Html"/>, and servable as a file for pages that embed <see cref="AuditDocument.Fragment"/>.</summary>
public static class ReportStyles
{
    /// <summary>
    /// CSS for <c>article.hs-report</c> and what it contains; every selector is scoped under <c>.hs-report</c>
    /// so it can be served next to a page's own styles. No fonts are fetched (system font stacks only).
    /// </summary>
    public const string Css = """
.hs-report{font-family:system-ui,-apple-system,"Segoe UI","DejaVu Sans","Liberation Sans",Arial,sans-serif;color:#1d232a;max-width:72rem;margin:0 auto;padding:1rem 1.25rem;line-height:1.45}
.hs-report h1{font-size:1.6rem;margin:.2rem 0 .4rem}
.hs-report h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #d5dbe1;padding-bottom:.2rem}
.hs-report .hs-sources{color:#52606d;margin:0 0 .8rem;padding-left:1.2rem}
.hs-report .hs-sources li{word-break:break-all}
.hs-report .hs-meta{color:#52606d;font-size:.95rem}
.hs-report table{border-collapse:collapse;width:100%;font-size:.95rem;margin:.4rem 0 1rem}
.hs-report th,.hs-report td{border-bottom:1px solid #e3e8ed;padding:.35rem .5rem;text-align:left;vertical-align:top}
.hs-report th{background:#f3f5f7;font-weight:600}
.hs-report td.hs-num{font-variant-numeric:tabular-nums;white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.hs-report .hs-how{color:#52606d;font-size:.9rem}
.hs-report .hs-verdict{padding:.6rem .8rem;border-radius:.35rem;margin:.6rem 0;border-left:.35rem solid #2f855a;background:#f0fff4}
.hs-report .hs-verdict[data-status="dimensional_collapse"]{border-left-color:#b7791f;background:#fffaf0}
.hs-report .hs-verdict[data-status="collapsed"]{border-left-color:#c53030;background:#fff5f5}
.hs-report .hs-warnings{background:#fffaf0;border-left:.35rem solid #b7791f;padding:.5rem .8rem .5rem 2rem;margin:.6rem 0}
.hs-report .hs-figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(30rem,1fr));gap:1.2rem}
.hs-report figure{margin:0;border:1px solid #e3e8ed;border-radius:.35rem;padding:.6rem;background:#fff}
.hs-report figure svg{display:block;width:100%;height:auto;max-width:100%}
.hs-report figcaption{font-size:.9rem;color:#3e4c59;margin-top:.4rem}
.hs-report figcaption strong{display:block;color:#1d232a;margin-bottom:.15rem}
@media (max-width:34rem){.hs-report .hs-figures{grid-template-columns:1fr}}
""";
}
