using System.Net;
using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// The gateway logs the client nginx saw when the request came through the configured trusted proxy, and the
/// connection's own address otherwise, whatever X-Forwarded-For a client makes up. Clients use their own
/// loopback addresses (127.0.0.x) so that client, proxy and gateway can be told apart on one machine.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("nginx-forwarded");
    private readonly CapturingLoggerProvider _logs = new();
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("notes.txt"), 1000);
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: false,
            app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs),
            "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1", "--Logging:LogLevel:LargeFileGateway.AccessLog=Information");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _logs.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Download_ThroughTrustedNginx_LogsTheClientNginxSaw()
    {
        var status = await GetFromAsync(IPAddress.Parse("127.0.0.7"), _stack.Nginx.Port, "X-Forwarded-For: 203.0.113.9\r\n");

        Assert.Equal(200, status);
        Assert.Equal(IPAddress.Parse("127.0.0.7"), await LoggedClientAsync());
    }

    [Fact]
    public async Task Download_FromUntrustedAddressWithForwardedFor_LogsTheConnectionAddress()
    {
        var status = await GetFromAsync(IPAddress.Parse("127.0.0.8"), _stack.Instances[0].Port, "X-Forwarded-For: 203.0.113.9\r\n");

        Assert.Equal(200, status);
        Assert.Equal(IPAddress.Parse("127.0.0.8"), await LoggedClientAsync());
    }

    /// <summary>The client of the download log line, which the gateway writes just after the last byte has gone.</summary>
    private async Task<IPAddress?> LoggedClientAsync()
    {
        var finished = await _logs.WaitForAsync(e => e.EventId.Name == "DownloadFinished", TimeSpan.FromSeconds(10));
        Assert.Single(_logs.Entries, e => e.EventId.Name == "DownloadFinished");
        return Assert.IsType<IPAddress>(finished.Values["Client"]);
    }

    private static async Task<int> GetFromAsync(IPAddress localAddress, int port, string extraHeaders)
    {
        using var client = new TcpClient(new IPEndPoint(localAddress, 0));
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /files/notes.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extraHeaders}\r\n"));
        using var response = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(response, timeout.Token);
        var statusLine = Encoding.ASCII.GetString(response.ToArray()).Split("\r\n")[0];
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
