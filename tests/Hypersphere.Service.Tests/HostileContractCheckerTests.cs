using System.Net;
using System.Net.Sockets;
using System.Text;
using Hypersphere.Service.Tests.Hostile;

namespace Hypersphere.Service.Tests;

/// <summary>
/// The hostile tests' own instruments, against answers written by hand: the contract check accepts an answer that
/// keeps the contract (so the suite can pass once the service does) and names each rule a bad one breaks; the raw
/// HTTP reader skips 100 Continue and de-chunks; the report puts faults first.
/// </summary>
public sealed class HostileContractCheckerTests
{
    private const string Conforming =
        """{"type":"about:blank","title":"The request is malformed","status":400,"detail":"input is required","error":{"message":"input is required","type":"invalid_request_error","code":"bad_request"}}""";

    [Fact]
    public void AProblemDocumentThatKeepsTheContractHasNoViolations()
    {
        Assert.Empty(ErrorContract.Violations(Answer(400, Conforming), bodyExpected: true, framingRefusedByKestrel: false, "/srv/models"));
        Assert.Empty(ErrorContract.Violations(Answer(503, Conforming.Replace("400", "503", StringComparison.Ordinal).Replace("bad_request", "not_ready", StringComparison.Ordinal)), true, false));
        Assert.Empty(ErrorContract.Violations(Answer(200, """{"object":"list"}""", "application/json"), true, false));
    }

    [Theory]
    [InlineData(500, null, null, "500 for a request")]
    [InlineData(503, "\"code\":\"bad_request\"", "\"code\":\"overloaded\"", "503 for a request")]
    [InlineData(400, "\"error\":{\"message\":\"input is required\",\"type\":\"invalid_request_error\",\"code\":\"bad_request\"}", "\"error\":\"bad_request\"", "'error' is string")]
    [InlineData(400, "\"message\":\"input is required\"", "\"message\":\"other\"", "error.message is not the detail")]
    [InlineData(400, "\"status\":400", "\"status\":422", "problem 'status'")]
    [InlineData(400, "\"detail\":\"input is required\",", "", "non-empty 'detail'")]
    [InlineData(400, "input is required\",\"error\"", "input is required at Program.Main() in /app/Program.cs:line 12\",\"error\"", "absolute path")]
    [InlineData(400, "input is required\",\"error\"", "System.InvalidOperationException: x\",\"error\"", ".NET type name")]
    public void EachBrokenRuleIsNamed(int status, string? replace, string? with, string expected)
    {
        var body = replace is null ? Conforming.Replace("400", $"{status}", StringComparison.Ordinal) : Conforming.Replace("400", $"{status}", StringComparison.Ordinal).Replace(replace, with, StringComparison.Ordinal);

        var violations = ErrorContract.Violations(Answer(status, body), bodyExpected: true, framingRefusedByKestrel: false);

        Assert.Contains(violations, v => v.StartsWith(expected, StringComparison.Ordinal) || v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AnEmptyOrPlainTextErrorAndMissingHeadersAreViolations()
    {
        var empty = ErrorContract.Violations(new RawAnswer(401, [], []), true, false);
        var plain = ErrorContract.Violations(Answer(404, "Status Code: 404; Not Found", "text/plain"), true, false);
        var kestrel = ErrorContract.Violations(new RawAnswer(400, [new("server", "Kestrel")], []), true, framingRefusedByKestrel: true);

        Assert.Contains("error with an empty body", empty);
        Assert.Contains("no X-Content-Type-Options: nosniff", empty);
        Assert.Contains(plain, v => v.StartsWith("error Content-Type is 'text/plain'", StringComparison.Ordinal));
        Assert.Empty(kestrel); // Kestrel's own framing answers are checked for their status only
    }

    [Fact]
    public async Task TheRawReaderSkips100ContinueAndDechunksTheFinalAnswer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var finished = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var read = await stream.ReadAsync(new byte[4096]);
            Assert.True(read > 0);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Payload Too Large\r\nContent-Type: application/problem+json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n"));
            // Keeps the connection open: the reader must stop at the last chunk, not wait for the close.
            await Task.Delay(Timeout.Infinite, finished.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        var answer = await RawHttp.SendAsync(new Uri($"http://127.0.0.1:{port}"), RawHttp.Request("POST", "/", [], "{}"u8.ToArray()), TimeSpan.FromSeconds(10));

        Assert.NotNull(answer);
        Assert.Equal(413, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal("{\"a\":1}", answer.Text);
        await finished.CancelAsync();
        await serve;
    }

    [Fact]
    public void TheReportListsFaultsFirstAndAtMostThirtyClasses()
    {
        var findings = Enumerable.Range(0, 40)
            .Select(i => new Finding(new HostileRequest($"POST /r{i}", "m", [], true, false, false), Answer(400, "{}"), "error.type is not a string"))
            .Append(new Finding(new HostileRequest("POST /v1/quality", "json/alpha", [], true, false, false), Answer(500, "(ArgumentException)"), "500 for a request (only 503 not_ready may be 5xx)"))
            .ToList();

        var report = Findings.Describe(findings, requests: 41, seed: 1);

        var listed = report.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Findings.MaxListed, listed.Count);
        Assert.StartsWith("- [1×] 500 for a request (ArgumentException) | POST /v1/quality → 500", listed[0], StringComparison.Ordinal);
        Assert.Contains("41 of 41 requests (seed 1)", report, StringComparison.Ordinal);
    }

    private static RawAnswer Answer(int status, string body, string contentType = "application/problem+json") =>
        new(status, [new("content-type", contentType), new("x-content-type-options", "nosniff")], Encoding.UTF8.GetBytes(body));
}
