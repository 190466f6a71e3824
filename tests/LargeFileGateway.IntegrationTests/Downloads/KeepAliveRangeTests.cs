using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// What a download manager or a seeking player does: hundreds of ranges, one after another, on one kept-alive
/// HTTP/1.1 connection. Each must arrive whole and exact, and none may wait for the next request to be flushed
/// (a response whose last bytes stay in the server's pipe hangs exactly such a client, once per connection).
/// </summary>
public sealed class KeepAliveRangeTests : IDisposable
{
    private const int FileLength = 8 * 1024 * 1024;
    private const int RangeLength = 64 * 1024;
    private readonly TempFolder _root = new("keepalive-ranges");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a range of several chunks, and so several flushes, per request
    public async Task Sequential_ranges_on_one_connection_each_arrive_whole(bool smallChunks)
    {
        var bytes = TestFiles.WriteRandom(Path.Combine(_root.Path, "seek.bin"), FileLength, seed: 11);
        await using var server = await GatewayServer.StartAsync(_root.Path, smallChunks ? ["--Gateway:Download:ChunkSizeBytes=16384"] : []);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var connections = new HashSet<string>();
        var random = new Random(5);

        // Bounded in count (300 requests) and in time (a minute for all of them: each takes well under a millisecond
        // on loopback, so only a response that never ends reaches it).
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 300; i++)
        {
            var first = i % 10 == 0 ? 0 : random.NextInt64(FileLength - RangeLength);
            using var request = new HttpRequestMessage(HttpMethod.Get, "files/seek.bin") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.Range = new RangeHeaderValue(first, first + RangeLength - 1);
            using var response = await client.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {first}-{first + RangeLength - 1}/{FileLength}", response.Content.Headers.ContentRange?.ToString());
            Assert.True(bytes.AsSpan((int)first, RangeLength).SequenceEqual(body), $"request {i}: the body of bytes {first}- differs from the file");
            connections.Add(response.Headers.ConnectionClose == true ? "closed" : "kept");
        }

        Assert.Equal(["kept"], connections);
    }
}
