using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// Issue 11, point 8: behind nginx with X-Accel-Redirect offload the gateway checks the link and nginx sends the
/// bytes; the internal location stays unreachable, and an expired link's resume within the grace still works (the
/// gateway streams If-Range requests itself).
/// </summary>
public sealed class SignedLinkOffloadTests : IAsyncLifetime
{
    private const int Length = 1 << 20;
    private readonly TempFolder _root = new("links-offload");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private byte[] _source = null!;
    private GatewayServer _gateway = null!;
    private NginxServer _nginx = null!;

    public async Task InitializeAsync()
    {
        _source = TestFiles.WriteRandom(_root.Combine("private", "big file.bin"), Length, seed: 21);
        _gateway = await SignedLinkTestServer.StartAsync(_root.Path, _time, countStorage: null, "--Gateway:Offload=NginxAccelRedirect");
        _nginx = await NginxServer.StartAsync(_root.Path, [_gateway.Port]);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        await _gateway.DisposeAsync();
        _root.Dispose();
    }

    private string Mint(TimeSpan validFor) => SignedLinkTestServer.Signer.Mint("private/big file.bin", _time.GetUtcNow() + validFor);

    [Fact]
    public async Task SignedLink_ThroughNginx_GatewayChecksAndNginxSendsTheBytes()
    {
        var link = Mint(TimeSpan.FromHours(1));

        var response = await RawHttp.SendAsync(_nginx.Port, link);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_source, response.Body);
        var entries = await _nginx.WaitForAccessLogAsync(log => log.Count >= 1);
        Assert.Equal(NginxServer.InternalPrefix + "private/big%20file.bin", Assert.Single(entries).AccelRedirect);
    }

    [Fact]
    public async Task UnsignedOrInternalLocation_ThroughNginx_Refused()
    {
        var unsigned = await RawHttp.SendAsync(_nginx.Port, "/files/private/big%20file.bin");
        var internalLocation = await RawHttp.SendAsync(_nginx.Port, NginxServer.InternalPrefix + "private/big%20file.bin");

        Assert.Equal(403, unsigned.StatusCode);
        Assert.Equal(404, internalLocation.StatusCode);
        Assert.NotEqual(_source, internalLocation.Body);
    }

    [Fact]
    public async Task ExpiredLink_ResumeWithinGraceThroughNginx_Returns206OfTheRest()
    {
        var link = Mint(TimeSpan.FromMinutes(1));
        var etag = (await RawHttp.SendAsync(_nginx.Port, link, "HEAD")).Header("ETag")!;
        _time.Advance(TimeSpan.FromHours(3));

        var resumed = await RawHttp.SendAsync(_nginx.Port, link, extraHeaders: $"Range: bytes=1000-\r\nIf-Range: {etag}\r\n");
        var fresh = await RawHttp.SendAsync(_nginx.Port, link, extraHeaders: "Range: bytes=1000-\r\n");

        Assert.Equal(206, resumed.StatusCode);
        Assert.Equal(_source[1000..], resumed.Body);
        Assert.Equal(403, fresh.StatusCode);
    }
}
