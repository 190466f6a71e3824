using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>The download log line tells what the client really got: the bytes it was sent and the status.</summary>
public sealed class DownloadLogTests() : GatewayTest("download-log")
{
    private readonly CapturingLoggerProvider _logs = new();

    protected override string[] GatewayArguments => ["--Logging:LogLevel:LargeFileGateway.AccessLog=Information"];

    protected override Task ArrangeAsync()
    {
        TestFiles.WriteSparse(Root.Combine("big.bin"), 1L << 30, [(0, 1 << 20)]);
        return Task.CompletedTask;
    }

    protected override Task StartedAsync()
    {
        Server.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ClientResetsAfterMegabytes_LogLineCountsTheBytesItWasSent()
    {
        const int received = 8 << 20;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", Server.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buffer = new byte[256 * 1024];
            long total = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (total < received)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Assert.NotEqual(0, read);
                total += read;
            }

            client.Client.LingerState = new LingerOption(true, 0);
        }

        var line = await DownloadFinishedAsync();

        Assert.Equal(true, line.Values["Aborted"]);
        Assert.Equal(200, line.Values["StatusCode"]);
        Assert.True((long)line.Values["BytesSent"]! >= received, $"logged {line.Values["BytesSent"]} bytes sent");
    }

    [Fact]
    public async Task MissingFile_LogLineSays404()
    {
        using var response = await Server.Client.GetAsync("files/nothing-here.bin");

        var line = await DownloadFinishedAsync();

        Assert.Equal(404, line.Values["StatusCode"]);
        Assert.Equal(0L, line.Values["BytesSent"]);
    }

    [Fact]
    public async Task DefaultConfiguration_PerRequestLineIsOff()
    {
        // benchmarks/RESULTS.md: the per-request Information line cost about a tenth of the random-range
        // throughput, so the shipped appsettings.json turns it off; this gateway turned it back on by the command line.
        await using var defaults = await GatewayServer.StartAsync(Root.Path, "--Logging:LogLevel:Default=Information");

        var logger = defaults.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LargeFileGateway.AccessLog");
        var enabledHere = Server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LargeFileGateway.AccessLog");

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.True(enabledHere.IsEnabled(LogLevel.Information));
    }

    private Task<CapturingLoggerProvider.Entry> DownloadFinishedAsync()
        => _logs.WaitForAsync(entry => entry.EventId.Name == "DownloadFinished", TimeSpan.FromSeconds(30));
}
