using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>Clients that leave, and files that shrink under a download.</summary>
public sealed class AbortAndTruncationTests() : GatewayTest("abort")
{
    [Fact]
    public async Task ClientAbortsMidDownload_FileHandleIsClosed()
    {
        var path = Root.Combine("big.bin");
        TestFiles.WriteSparse(path, 2L << 30, [(0, 1 << 20)]);
        Assert.Equal(0, OpenFiles.Count(path));

        using (var client = await ConnectAsync("/files/big.bin"))
        {
            var stream = client.GetStream();
            await ReadAtLeastAsync(stream, 1 << 20);
            Assert.Equal(1, OpenFiles.Count(path));
            client.Client.LingerState = new LingerOption(true, 0); // RST, like a killed client
        }

        // The open-file cache keeps the descriptor for the next request; once it lets go, only a reference the
        // aborted request failed to give back could keep it open.
        Server.CloseCachedFiles();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ClientAbortsManyRangeDownloads_NoHandleLeaks()
    {
        var path = Root.Combine("many.bin");
        TestFiles.WriteSparse(path, 1L << 30, [(0, 1 << 20)]);

        for (var i = 0; i < 20; i++)
        {
            using var client = await ConnectAsync("/files/many.bin", $"Range: bytes={i * 1000}-\r\n");
            await ReadAtLeastAsync(client.GetStream(), 64 * 1024);
            client.Client.LingerState = new LingerOption(true, 0);
        }

        Server.CloseCachedFiles();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task FileTruncatedDuringDownload_ConnectionIsAbortedNotEndedShort()
    {
        var path = Root.Combine("shrinks.bin");
        const int length = 256 << 20;
        TestFiles.WriteSparse(path, length, [(0, 1 << 20)]);

        using var client = await ConnectAsync("/files/shrinks.bin");
        client.ReceiveBufferSize = 64 * 1024;
        var stream = client.GetStream();
        var (header, alreadyRead) = await ReadHeaderAsync(stream);
        Assert.Contains($"Content-Length: {length}", header, StringComparison.Ordinal);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(4 << 20);
        }

        var (bodyBytes, ending) = await ReadToEndAsync(stream);
        var received = alreadyRead + bodyBytes;

        Assert.True(received < length, $"received {received} of {length}");
        // A clean close after a short body is what a truncated file served as if complete looks like on the wire;
        // the gateway must abort instead, which the client sees as a reset.
        Assert.Equal(StreamEnding.Reset, ending);
        Server.CloseCachedFiles();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task FileRewrittenInPlaceDuringDownload_ConnectionIsAbortedNotEndedAsComplete()
    {
        // Same length, same inode, other bytes: the open descriptor does not keep the old content, so without a check
        // the client got a complete-looking 200 under the old ETag that matched neither version (issue 10 review).
        var path = Root.Combine("rewritten.bin");
        const int length = 256 << 20;
        TestFiles.WriteSparse(path, length, [(0, 1 << 20)]);

        using var client = await ConnectAsync("/files/rewritten.bin");
        client.ReceiveBufferSize = 64 * 1024;
        var stream = client.GetStream();
        var (header, _) = await ReadHeaderAsync(stream);
        Assert.Contains($"Content-Length: {length}", header, StringComparison.Ordinal);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = 100 << 20;
            file.Write(Enumerable.Repeat((byte)7, 4096).ToArray());
        }

        var (_, ending) = await ReadToEndAsync(stream);

        Assert.Equal(StreamEnding.Reset, ending);
        Server.CloseCachedFiles();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(path, TimeSpan.FromSeconds(10)));
    }

    private async Task<TcpClient> ConnectAsync(string target, string extraHeaders = "")
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Server.Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: x\r\n{extraHeaders}\r\n"));
        return client;
    }

    private static async Task ReadAtLeastAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (total < count)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            total += read;
        }
    }

    private static async Task<(string Header, long BodyBytes)> ReadHeaderAsync(NetworkStream stream)
    {
        var buffer = new byte[1];
        var header = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(buffer, timeout.Token));
            header.Append((char)buffer[0]);
        }

        return (header.ToString(), 0);
    }

    private static async Task<(long Bytes, StreamEnding Ending)> ReadToEndAsync(NetworkStream stream)
    {
        var buffer = new byte[256 * 1024];
        long total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                total += read;
            }

            return (total, StreamEnding.CleanClose);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return (total, StreamEnding.Reset);
        }
    }

    private enum StreamEnding
    {
        CleanClose,
        Reset,
    }
}
