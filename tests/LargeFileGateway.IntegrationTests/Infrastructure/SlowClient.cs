using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A raw HTTP/1.1 download that reads only when told to, with a small receive buffer so the server soon has to
/// wait for it: a slow or stalled client, and one that can vanish mid-body with a reset.
/// </summary>
public sealed class SlowClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash _bodyHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private SlowClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public string HeaderBlock { get; private set; } = string.Empty;

    public long BodyBytesRead { get; private set; }

    /// <summary>Connects, sends the request and reads the status line and headers (plus whatever body came with them).</summary>
    public static async Task<SlowClient> StartAsync(int port, string target, string extraHeaders = "")
    {
        var client = new TcpClient { ReceiveBufferSize = 32 * 1024 };
        await client.ConnectAsync("127.0.0.1", port);
        var slow = new SlowClient(client);
        var request = $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{extraHeaders}\r\n";
        await slow._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        await slow.ReadHeadersAsync();
        return slow;
    }

    /// <summary>Reads at least <paramref name="count"/> more body bytes (or up to the end); returns how many.</summary>
    public async Task<long> ReadAsync(long count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long read = 0;
        while (read < count)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(0, (int)Math.Min(_buffer.Length, count - read)), timeout.Token);
            if (n == 0)
            {
                break;
            }

            _bodyHash.AppendData(_buffer, 0, n);
            read += n;
        }

        BodyBytesRead += read;
        return read;
    }

    public Task<long> ReadToEndAsync() => ReadAsync(long.MaxValue);

    /// <summary>SHA-256 (lowercase hex) of every body byte read so far.</summary>
    public string BodySha256() => Convert.ToHexStringLower(_bodyHash.GetCurrentHash());

    /// <summary>Leaves with a TCP reset, as a killed client does.</summary>
    public void Abort()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Close();
    }

    public void Dispose()
    {
        _client.Dispose();
        _bodyHash.Dispose();
    }

    private async Task ReadHeadersAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0)
            {
                throw new EndOfStreamException("The connection closed before the headers ended.");
            }

            head.Add(one[0]);
        }

        HeaderBlock = Encoding.Latin1.GetString([.. head]);
    }
}
