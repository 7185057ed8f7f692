using System.Text;
using System.Text.RegularExpressions;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>A broken rule: the request that broke it, its answer and the rule.</summary>
public sealed record Finding(HostileRequest Request, RawAnswer? Answer, string Violation);

/// <summary>
/// Groups findings into distinct (rule, route, status) classes, worst first (faults, then leaks, then malformed
/// problem documents, then headers), so one assertion message shows everything a run found, with one example each.
/// </summary>
public static partial class Findings
{
    public const int MaxListed = 30;

    /// <summary>The failure message: totals per rule, then up to <see cref="MaxListed"/> distinct classes with an example.</summary>
    public static string Describe(IReadOnlyCollection<Finding> findings, int requests, int seed)
    {
        var text = new StringBuilder();
        var failing = findings.Select(f => f.Request).Distinct().Count();
        text.AppendLine($"{failing} of {requests} requests (seed {seed}) broke the error contract; {findings.Count} findings.");
        text.AppendLine("By rule:");
        foreach (var rule in findings.GroupBy(f => Kind(f.Violation)).OrderBy(g => Severity(g.Key)).ThenByDescending(g => g.Count()))
        {
            text.AppendLine($"  {rule.Count(),5}× {rule.Key}");
        }

        var classes = findings
            .GroupBy(f => (Kind(f.Violation) + Cause(f), Route(f), f.Answer?.Status ?? 0))
            .OrderBy(g => Severity(g.Key.Item1))
            .ThenByDescending(g => g.Count())
            .ToList();
        text.AppendLine($"{classes.Count} distinct (rule, route, status){(classes.Count > MaxListed ? $", the first {MaxListed}" : string.Empty)}:");
        foreach (var group in classes.Take(MaxListed))
        {
            var example = group.First();
            text.AppendLine($"- [{group.Count()}×] {(Severity(Kind(example.Violation)) == 0 ? group.Key.Item1 : example.Violation)} | {group.Key.Item2} → {group.Key.Item3} | e.g. {example.Request.Mutation} | body: {Excerpt(example.Answer)}");
        }

        return text.ToString();
    }

    // Faults are told apart by what failed: the exception type a Production problem names, else the body's absence.
    private static string Cause(Finding finding) =>
        Severity(Kind(finding.Violation)) != 0 || finding.Answer is null ? string.Empty
        : ExceptionType().Match(finding.Answer.Text) is { Success: true } type ? $" ({type.Groups[1].Value})"
        : finding.Answer.Body.Length == 0 ? " (empty body)" : " (other body)";

    // Header rules hold for every answer, so one class each, not one per route.
    private static string Route(Finding finding) =>
        Severity(Kind(finding.Violation)) == 5 ? "(any route)" : finding.Request.Route;

    private static string Kind(string violation)
    {
        var cut = violation.IndexOfAny(['(', '\'']);
        return (cut > 0 ? violation[..cut] : violation).Trim();
    }

    private static int Severity(string kind) => kind switch
    {
        _ when kind.StartsWith("no answer", StringComparison.Ordinal) || char.IsDigit(kind[0]) => 0,
        _ when kind.Contains("in the body", StringComparison.Ordinal) => 1,
        _ when kind.StartsWith("error Content-Type", StringComparison.Ordinal) || kind.StartsWith("error with", StringComparison.Ordinal) || kind.StartsWith("error body", StringComparison.Ordinal) || kind.StartsWith("framing", StringComparison.Ordinal) => 2,
        _ when kind.StartsWith("problem", StringComparison.Ordinal) => 3,
        _ when kind.StartsWith("no X-Content", StringComparison.Ordinal) || kind.StartsWith("Server header", StringComparison.Ordinal) => 5,
        _ => 4,
    };

    private static string Excerpt(RawAnswer? answer)
    {
        if (answer is null)
        {
            return "(none)";
        }

        var text = answer.Text.Replace('\n', ' ').Replace('\r', ' ');
        return $"[{answer.MediaType ?? "no content-type"}] " + (text.Length == 0 ? "(empty)" : text.Length > 180 ? text[..180] + "…" : text);
    }

    [GeneratedRegex(@"\((\w*Exception)\)")]
    private static partial Regex ExceptionType();
}
