using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Limits;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// The connection caps (Gateway:Limits) on real Kestrel with real clients: raw sockets that hold a download open,
/// curl from a second loopback address, aria2c with sixteen connections.
/// </summary>
public sealed class ConnectionLimitsTests : IDisposable
{
    private const int BigLength = 32 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempFolder _root = new("caps");
    private readonly TempFolder _downloads = new("caps-out");

    public ConnectionLimitsTests()
    {
        TestFiles.WriteRandom(_root.Combine("big.bin"), BigLength, seed: 12);
        TestFiles.WriteRandom(_root.Combine("small.bin"), 64 << 10, seed: 13);
    }

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task DownloadsPerClient_FifthConcurrentDownload_Gets429WithRetryAfterWhileAnotherAddressIsServed()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Limits:DownloadsPerClient=4");
        var held = new List<SlowClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                held.Add(await SlowClient.StartAsync(server.Port, "/files/big.bin"));
            }

            Assert.All(held, client => Assert.StartsWith("HTTP/1.1 200", client.HeaderBlock, StringComparison.Ordinal));

            var fifth = await RawHttp.SendAsync(server.Port, "/files/big.bin");

            Assert.Equal(429, fifth.StatusCode);
            AssertRefusal(fifth);

            // A HEAD takes no slot: it is answered while the four downloads run.
            Assert.Equal(200, (await RawHttp.SendAsync(server.Port, "/files/small.bin", method: "HEAD")).StatusCode);

            var other = _downloads.Combine("other.bin");
            var (exitCode, output) = await ExternalTool.RunAsync("curl", ["-sS", "-f", "--interface", "127.0.0.2", "-o", other, new Uri(server.BaseAddress, "files/small.bin").AbsoluteUri], Bound);
            Assert.True(exitCode == 0, output);
            Assert.Equal(await TestFiles.Sha256Async(_root.Combine("small.bin")), await TestFiles.Sha256Async(other));
        }
        finally
        {
            held.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task Downloads_NPlusFirstDownload_Gets503AndAfterOneEndsTheNextIsAccepted()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Limits:Downloads=2");
        using var first = await SlowClient.StartAsync(server.Port, "/files/big.bin");
        using var second = await SlowClient.StartAsync(server.Port, "/files/big.bin");

        var third = await RawHttp.SendAsync(server.Port, "/files/small.bin");

        Assert.Equal(503, third.StatusCode);
        AssertRefusal(third);

        // A client that leaves with a reset frees its slot as soon as the gateway sees the connection gone.
        first.Abort();
        var status = 0;
        for (var attempt = 0; attempt < 100 && status != 200; attempt++)
        {
            var next = await RawHttp.SendAsync(server.Port, "/files/small.bin");
            status = next.StatusCode;
            if (status != 200)
            {
                Assert.Equal(503, status);
                await Task.Delay(100);
            }
        }

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task RequestsPerClientPerMinute_OverTheBudget_Gets429WithRetryAfterWhileAnotherAddressIsServed()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Limits:RequestsPerClientPerMinute=3");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(206, (await RawHttp.SendAsync(server.Port, "/files/small.bin", extraHeaders: "Range: bytes=0-99\r\n")).StatusCode);
        }

        var fourth = await RawHttp.SendAsync(server.Port, "/files/small.bin", extraHeaders: "Range: bytes=0-99\r\n");

        Assert.Equal(429, fourth.StatusCode);
        AssertRefusal(fourth);
        // One request comes back every 20 s: that is when the next one is allowed, not a whole minute.
        Assert.InRange(int.Parse(fourth.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 20);

        var (exitCode, output) = await ExternalTool.RunAsync("curl", ["-sS", "-f", "--interface", "127.0.0.2", "-o", "/dev/null", new Uri(server.BaseAddress, "files/small.bin").AbsoluteUri], Bound);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Aria2SixteenConnections_DownloadsPerClientOfFour_CompletesWithRightShaNeverMoreThanFour()
    {
        var counter = new ConcurrentBodies();
        await using var server = await GatewayServer.StartAsync(_root.Path, counter.Install, "--Gateway:Limits:DownloadsPerClient=4");

        var (exitCode, log) = await ExternalTool.RunAsync("aria2c",
            ["-q", "-x16", "-s16", "-k1M", "--max-tries=0", "--retry-wait=1", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
             "-d", _downloads.Path, "-o", "aria2.bin", new Uri(server.BaseAddress, "files/big.bin").AbsoluteUri], Bound);

        Assert.True(exitCode == 0, log);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin")), await TestFiles.Sha256Async(_downloads.Combine("aria2.bin")));
        Assert.InRange(counter.Peak, 1, 4);
        Assert.InRange(server.Services.GetRequiredService<ConnectionLimits>().PeakDownloadsPerClient, 1, 4);
        Assert.True(counter.Refused > 0, "aria2c opened no connection over the cap");
        Assert.Equal(0, counter.ServerErrors);
    }

    private static void AssertRefusal(RawHttp.Response response)
    {
        Assert.True(long.TryParse(response.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 1, response.HeaderBlock);
        Assert.StartsWith("application/problem+json", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains($"\"status\":{response.StatusCode}", System.Text.Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }

    /// <summary>
    /// Counts, apart from the limiter, the downloads that are sending a body at once (answers that start with a 2xx),
    /// and the refusals and server errors, from a step between the gateway's middleware and its endpoint.
    /// </summary>
    private sealed class ConcurrentBodies
    {
        private int _current;
        private int _peak;
        private int _refused;
        private int _serverErrors;

        public int Peak => Volatile.Read(ref _peak);

        public int Refused => Volatile.Read(ref _refused);

        public int ServerErrors => Volatile.Read(ref _serverErrors);

        public void Install(WebApplication app) => app.Use(async (context, next) =>
        {
            var counted = false;
            var ended = false;
            context.Response.OnStarting(() =>
            {
                // Kestrel also runs OnStarting after the pipeline has returned, for a response that never started (a
                // download the client left before its first byte): by then this step's finally has run and would
                // never take that one off again, so it is not counted.
                if (!ended && context.Response.StatusCode is >= 200 and < 300 && HttpMethods.IsGet(context.Request.Method))
                {
                    counted = true;
                    var now = Interlocked.Increment(ref _current);
                    int peak;
                    while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                    {
                    }
                }

                return Task.CompletedTask;
            });
            try
            {
                await next(context);
            }
            finally
            {
                ended = true;
                if (counted)
                {
                    Interlocked.Decrement(ref _current);
                }

                if (context.Response.StatusCode == (int)HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref _refused);
                }
                else if (context.Response.StatusCode >= 500)
                {
                    Interlocked.Increment(ref _serverErrors);
                }
            }
        });
    }
}
