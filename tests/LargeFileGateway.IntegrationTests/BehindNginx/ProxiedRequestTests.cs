using System.Net;
using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Security;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// <see cref="ProxiedRequestFeature"/> says whether the connection came from a trusted proxy, whatever forwarding
/// headers a client sends. Clients use their own loopback addresses (127.0.0.x) so that client, proxy and gateway
/// can be told apart on one machine; only 127.0.0.1 (nginx) is trusted.
/// </summary>
public sealed class ProxiedRequestTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("nginx-proxied");
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: false,
            app => app.MapGet("/files/proxied", (HttpContext context) => context.Features.Get<ProxiedRequestFeature>()?.FromTrustedProxy == true ? "proxied" : "direct"),
            "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Request_ThroughTrustedNginx_IsFromTrustedProxy()
    {
        var answer = await GetFromAsync(IPAddress.Parse("127.0.0.7"), _stack.Nginx.Port, string.Empty);

        Assert.Contains("proxied", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("X-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nForwarded: for=127.0.0.1\r\nX-Accel-Redirect: /x\r\n")]
    public async Task Request_FromUntrustedAddress_IsDirectWhateverItsHeaders(string headers)
    {
        var answer = await GetFromAsync(IPAddress.Parse("127.0.0.8"), _stack.Instances[0].Port, headers);

        Assert.Contains("direct", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("proxied", answer, StringComparison.Ordinal);
    }

    /// <summary>The body of the answer (chunked: the endpoint's text between chunk-size lines).</summary>
    private static async Task<string> GetFromAsync(IPAddress localAddress, int port, string extraHeaders)
    {
        using var client = new TcpClient(new IPEndPoint(localAddress, 0));
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /files/proxied HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extraHeaders}\r\n"));
        using var response = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(response, timeout.Token);
        var text = Encoding.ASCII.GetString(response.ToArray());
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        return text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }
}
