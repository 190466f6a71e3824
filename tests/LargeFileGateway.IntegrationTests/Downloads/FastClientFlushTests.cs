using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// On real Kestrel, a fast client gets several chunks per flush (Gateway:Download:FastClientFlushBytes) out of a budget
/// shared by every download: the bytes stay exact, a client that stops reading mid-flush holds its share only until its
/// connection ends, and nothing of the budget is lost.
/// </summary>
public sealed class FastClientFlushTests() : GatewayTest("fast-flush")
{
    private const int FileBytes = 64 * 1024 * 1024;
    private byte[] _content = [];

    protected override Task ArrangeAsync()
    {
        _content = TestFiles.WriteRandom(Root.Combine("fast.bin"), FileBytes, seed: 23);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task FastDownloadAndRangesOnOneConnection_AreByteExact_AndTheBudgetIsWholeAfterwards()
    {
        var budget = Server.Services.GetRequiredService<FlushBudget>();

        var whole = await Server.Client.GetByteArrayAsync("/files/fast.bin");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/fast.bin");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1_000_003, 1_000_003 + 9 * 1024 * 1024 + 12_345 - 1);
        using var ranged = await Server.Client.SendAsync(request);
        var part = await ranged.Content.ReadAsByteArrayAsync();

        Assert.Equal(SHA256.HashData(_content), SHA256.HashData(whole));
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(_content.AsSpan(1_000_003, part.Length).ToArray(), part);
        Assert.Equal(9 * 1024 * 1024 + 12_345, part.Length);
        Assert.Equal(budget.Bytes, await WaitForAsync(() => budget.Available, available => available == budget.Bytes));
    }

    [Fact]
    public async Task FastClientStopsReadingMidDownload_HoldsItsShareUntilItsConnectionEnds()
    {
        var budget = Server.Services.GetRequiredService<FlushBudget>();
        using (var client = new TcpClient { ReceiveBufferSize = 256 * 1024 })
        {
            await client.ConnectAsync(IPAddress.Loopback, Server.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /files/fast.bin HTTP/1.1\r\nHost: x\r\n\r\n"));

            // Fast for 24 MiB (the pace is judged over 8 MiB windows), then not at all: the socket buffers fill (the
            // small receive buffer keeps them far below the 40 MiB left), and the flush under way when they do waits
            // on this client with its share of the budget.
            var buffer = new byte[256 * 1024];
            var total = 0L;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (total < 24 * 1024 * 1024)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Assert.NotEqual(0, read);
                total += read;
            }

            var held = await WaitForAsync(() => budget.Available, available => available < budget.Bytes);
            Assert.True(held < budget.Bytes, $"no share of the budget was held by the stalled download ({held} of {budget.Bytes} left)");
            client.Client.LingerState = new LingerOption(true, 0); // RST, like a killed client
        }

        Assert.Equal(budget.Bytes, await WaitForAsync(() => budget.Available, available => available == budget.Bytes));
    }

    private static async Task<long> WaitForAsync(Func<long> read, Func<long, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var value = read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            value = read();
        }

        return value;
    }
}
