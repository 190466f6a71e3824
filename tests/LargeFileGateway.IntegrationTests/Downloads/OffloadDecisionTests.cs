using System.Net;
using System.Net.Sockets;
using System.Text;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// Offload mode decides before any header whether nginx sends the bytes: only for a request that came through a
/// trusted proxy. A client that reaches an instance directly gets the file, never an empty 200 it would save as a
/// complete zero-byte download.
/// </summary>
public sealed class OffloadDecisionTests() : GatewayTest("offload-decision")
{
    private const string Content = "the bytes of the file";

    protected override string[] GatewayArguments => ["--Gateway:Offload=NginxAccelRedirect", "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1"];

    protected override Task ArrangeAsync() => File.WriteAllTextAsync(Root.Combine("report.txt"), Content);

    [Fact]
    public async Task Get_DirectFromTrustedAddressWithoutForwardedFor_StreamsTheFile()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/report.txt");

        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.Header("X-Accel-Redirect"));
        Assert.Equal(Content, Encoding.ASCII.GetString(response.Body));
    }

    [Fact]
    public async Task Get_ThroughTrustedProxy_AnswersWithTheInternalRedirectAndNoBody()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/report.txt", extraHeaders: "X-Forwarded-For: 203.0.113.9\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("/_protected/report.txt", response.Header("X-Accel-Redirect"));
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Get_FromUntrustedAddressWithForwardedFor_StreamsTheFile()
    {
        using var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.8"), 0));
        await client.ConnectAsync(IPAddress.Loopback, Server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /files/report.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n"));
        using var answer = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(answer, timeout.Token);
        var text = Encoding.ASCII.GetString(answer.ToArray());

        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Accel-Redirect", text, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\n" + Content, text, StringComparison.Ordinal);
    }
}
