using System.Net.Sockets;
using System.Text;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>An HTTP/1.1 answer read off a socket: status, headers (names lower-cased, repeats kept) and the de-chunked body.</summary>
public sealed record RawAnswer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>The body as UTF-8 text (invalid bytes replaced).</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Every value of header <paramref name="name"/>.</summary>
    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The first value of header <paramref name="name"/>, or null.</summary>
    public string? Header(string name) => Values(name).FirstOrDefault();

    /// <summary>The media type of Content-Type, lower-cased, without parameters; null without one.</summary>
    public string? MediaType => Header("content-type")?.Split(';')[0].Trim().ToLowerInvariant();
}

/// <summary>
/// Requests written byte by byte on a fresh TCP connection (Connection: close), so a test can send what HttpClient
/// refuses to: broken framing, headers without values, bodies that stop. The answer is read until the server closes.
/// </summary>
public static class RawHttp
{
    /// <summary>The bytes of a request; <c>Host</c>, <c>Connection: close</c> and a correct Content-Length are added unless given.</summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, string host = "127.0.0.1")
    {
        var given = headers.ToList();
        var text = new StringBuilder().Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        if (!given.Any(h => h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)))
        {
            text.Append("Host: ").Append(host).Append("\r\n");
        }

        if (body is not null && !given.Any(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
        {
            given.Add(("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var (name, value) in given.Append(("Connection", "close")))
        {
            text.Append(name).Append(':').Append(value.Length == 0 ? string.Empty : " ").Append(value).Append("\r\n");
        }

        text.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(text.ToString()), .. body ?? []];
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer; null if none came within <paramref name="timeout"/> or the connection broke first.</summary>
    public static async Task<RawAnswer?> SendAsync(Uri server, byte[] request, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancel.Token);
            try
            {
                await socket.SendAsync(request, SocketFlags.None, cancel.Token);
            }
            catch (SocketException)
            {
                // The server may answer (413, 400) and close before it has read everything; the answer is still there to read.
            }

            return Parse(await ReadToEndAsync(socket, cancel.Token));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Sends the head and the first bytes of a body, then waits without sending the rest; the answer, or null within <paramref name="timeout"/>.</summary>
    public static async Task<RawAnswer?> SendAndStallAsync(Uri server, byte[] head, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancel.Token);
            await socket.SendAsync(head, SocketFlags.None, cancel.Token);
            return Parse(await ReadToEndAsync(socket, cancel.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    // Reads until the answer is complete (its Content-Length, or the last chunk) or the server closes: a server that
    // drains a request body it refused may keep the connection open after answering.
    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
                if (IsComplete(received.GetBuffer().AsSpan(0, (int)received.Length)))
                {
                    break;
                }
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the answer (unread request bytes) loses nothing already received.
        }

        return received.ToArray();
    }

    private static bool IsComplete(ReadOnlySpan<byte> bytes)
    {
        var start = FinalAnswerStart(bytes);
        var end = bytes[start..].IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        var head = Encoding.Latin1.GetString(bytes.Slice(start, end)).ToLowerInvariant();
        var body = bytes[(start + end + 4)..];
        if (head.Contains("\ntransfer-encoding: chunked", StringComparison.Ordinal))
        {
            return body.EndsWith("0\r\n\r\n"u8);
        }

        var at = head.IndexOf("\ncontent-length:", StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var value = head[(at + 16)..].Split('\r')[0].Trim();
        return long.TryParse(value, out var length) && body.Length >= length;
    }

    // Where the final answer starts: after any interim 1xx answers (100 Continue).
    private static int FinalAnswerStart(ReadOnlySpan<byte> bytes)
    {
        var start = 0;
        while (bytes.Length - start > 12 && bytes.Slice(start, 10).SequenceEqual("HTTP/1.1 1"u8))
        {
            var end = bytes[start..].IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                break;
            }

            start += end + 4;
        }

        return start;
    }

    private static RawAnswer? Parse(byte[] all)
    {
        var bytes = all[FinalAnswerStart(all)..];
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return null;
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var statusLine = lines[0].Split(' ');
        if (statusLine.Length < 2 || !int.TryParse(statusLine[1], out var status))
        {
            return null;
        }

        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0].Trim().ToLowerInvariant(), p[1].Trim()))
            .ToList();
        var body = bytes[(end + 4)..];
        if (headers.Any(h => h.Key == "transfer-encoding" && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            body = Dechunk(body);
        }

        return new RawAnswer(status, headers, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        using var body = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0];
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            at += lineEnd + 2;
            body.Write(chunked, at, Math.Min(size, chunked.Length - at));
            at += size + 2;
        }

        return body.ToArray();
    }
}
