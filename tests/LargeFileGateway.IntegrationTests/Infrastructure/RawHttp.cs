using System.Net.Sockets;
using System.Text;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a plain socket, for requests that HttpClient would normalize (raw "..", backslashes, bad
/// encodings) and for clients that misbehave (stop reading, disconnect mid-body).
/// </summary>
public static class RawHttp
{
    public sealed record Response(int StatusCode, string HeaderBlock, byte[] Body)
    {
        public string? Header(string name)
        {
            foreach (var line in HeaderBlock.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return line[(colon + 1)..].Trim();
                }
            }

            return null;
        }
    }

    /// <summary>Sends <c>METHOD target HTTP/1.1</c> with Connection: close and reads the whole answer.</summary>
    public static async Task<Response> SendAsync(int port, string target, string method = "GET", string extraHeaders = "")
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var request = $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{extraHeaders}\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var buffer = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(buffer, timeout.Token);
        return Parse(buffer.ToArray());
    }

    private static Response Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end >= 0 ? text[..end] : text;
        var statusLine = head.Split("\r\n")[0];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = end >= 0 ? raw[(end + 4)..] : [];
        return new Response(status, head, body);
    }
}
