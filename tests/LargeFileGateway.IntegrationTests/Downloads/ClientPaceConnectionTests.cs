using System.Net;
using System.Runtime.CompilerServices;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// On real Kestrel, the client's pace is one per HTTP/1.1 connection (a keep-alive client's later ranges go on from
/// the speed it has shown) and one per request on another connection.
/// </summary>
public sealed class ClientPaceConnectionTests : IDisposable
{
    private readonly TempFolder _root = new("pace-root");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task For_RequestsOfOneKeepAliveConnection_ShareOnePace_AnotherConnectionHasItsOwn()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path,
            app => app.MapGet("/files/pace-probe", (HttpContext context) => RuntimeHelpers.GetHashCode(ClientPace.For(context)).ToString()));

        var first = await server.Client.GetStringAsync("/files/pace-probe");
        var second = await server.Client.GetStringAsync("/files/pace-probe");
        using var other = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/pace-probe") { Version = HttpVersion.Version11 };
        var third = await (await other.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Equal(first, second);
        Assert.NotEqual(first, third);
    }
}
