using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Issue 10, reliability 2-4: what the local file system can do wrong, on real Kestrel. Special files are refused at
/// once with 404, a client's odd name is never a storage outage, and a read that fails after the open (ESTALE on
/// NFS, a permission lost mid-read) is a 503 before the body and an aborted connection after it, never a 500.
/// </summary>
public sealed class LocalStorageFaultTests() : GatewayTest("localfaults")
{
    private const int FileLength = 4 << 20;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    protected override Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("fault.bin"), FileLength, seed: 5);
        MakeFifo(Root.Combine("fifo"));
        MakeFifo(Root.Combine("fifo-with-writer"));
        File.CreateSymbolicLink(Root.Combine("link-to-fifo"), Root.Combine("fifo"));
        File.CreateSymbolicLink(Root.Combine("link-to-zero"), "/dev/zero");
        File.CreateSymbolicLink(Root.Combine("loop-a"), Root.Combine("loop-b"));
        File.CreateSymbolicLink(Root.Combine("loop-b"), Root.Combine("loop-a"));
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("link-to-fifo")]
    [InlineData("link-to-zero")]
    [InlineData("loop-a")]
    public async Task Get_SpecialFileOrLinkLoop_Answers404AtOnce(string name)
    {
        using var timeout = new CancellationTokenSource(Limit);

        using var response = await Server.Client.GetAsync($"files/{name}", timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_FifoWithAWriter_Answers404()
    {
        // Read and write ends held by the test: the gateway's open would not wait even without O_NONBLOCK.
        using var writer = File.OpenHandle(Root.Combine("fifo-with-writer"), FileMode.Open, FileAccess.ReadWrite);
        using var timeout = new CancellationTokenSource(Limit);

        using var response = await Server.Client.GetAsync("files/fifo-with-writer", timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_SocketFile_Answers404()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Root.Combine("socket")));
        using var timeout = new CancellationTokenSource(Limit);

        using var response = await Server.Client.GetAsync("files/socket", timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_KeyLongerThanTheKernelTakesWithTheRoot_Answers404NotStorageUnavailable()
    {
        // 16 segments of 250 bytes pass StorageKey (4015 bytes) but not the kernel once the root is in front (ENAMETOOLONG).
        var key = string.Join('/', Enumerable.Repeat(new string('a', 250), 16));

        var response = await RawHttp.SendAsync(Server.Port, "/files/" + key);

        Assert.Equal(404, response.StatusCode);
    }

    [Fact]
    public async Task Get_SegmentOver255Utf8Bytes_IsAClientErrorNotStorageUnavailable()
    {
        // 128 x 'é' is 128 characters but 256 bytes. StorageKey calls it TooLong: 414, a client error.
        var target = "/files/" + string.Concat(Enumerable.Repeat("%C3%A9", 128));

        var response = await RawHttp.SendAsync(Server.Port, target);

        Assert.Equal(414, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_ReadFailsBeforeTheBody_Answers503ProblemDetails(bool stale)
    {
        using var faults = Faults(failAt: 0, stale);

        using var response = await Server.Client.GetAsync("files/fault.bin");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_ReadFailsMidBody_ConnectionIsResetNotClosedCleanly(bool stale)
    {
        using var faults = Faults(failAt: 1 << 20, stale);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /files/fault.bin HTTP/1.1\r\nHost: x\r\n\r\n"));

        var (received, reset) = await ReadUntilClosedAsync(stream);

        Assert.True(reset, "the connection was closed cleanly, as if the body were complete");
        Assert.True(received < FileLength, $"received {received} of {FileLength}");
    }

    [Fact]
    public void OpenedDescriptor_WorksWithRandomAccess()
    {
        using var handle = Libc.Open(Root.Combine("fault.bin"), out var errno);
        var buffer = new byte[16];

        var read = RandomAccess.Read(handle, buffer, 100);

        Assert.Equal(0, errno);
        Assert.Equal(FileLength, RandomAccess.GetLength(handle));
        Assert.Equal(16, read);
        Assert.Equal(File.ReadAllBytes(Root.Combine("fault.bin")).AsSpan(100, 16).ToArray(), buffer);
    }

    private LocalReadFaults Faults(long failAt, bool stale) => new(Server.Services.GetRequiredService<LocalReadScheduler>())
    {
        FailingFile = "fault.bin",
        FailAtOffset = failAt,
        Failure = stale ? () => new IOException("Stale file handle", 116) : () => new UnauthorizedAccessException("Access denied"),
    };

    // Reads the whole answer; a reset (RST) is what an aborted response looks like, a FIN what a complete one does.
    // A reset also drops what the client had not read yet, so only "less than the file" can be said of the count.
    private static async Task<(long Received, bool Reset)> ReadUntilClosedAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        var headerEnd = -1L;
        var head = new List<byte>();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                if (headerEnd < 0)
                {
                    head.AddRange(buffer.AsSpan(0, read));
                    var end = Encoding.Latin1.GetString([.. head]).IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end >= 0)
                    {
                        headerEnd = end + 4;
                        received = head.Count - headerEnd;
                    }

                    continue;
                }

                received += read;
            }

            return (received, false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return (received, true);
        }
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        Assert.True(mkfifo.WaitForExit(10_000));
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
