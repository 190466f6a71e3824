using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14 in offload mode: the X-Accel-Redirect answer the gateway hands nginx carries the same digest fields as a
/// streamed one (nginx's internal location copies them, see nginx/largefilegateway/protected.conf).
/// </summary>
public sealed class OffloadDigestTests : IDisposable
{
    private readonly TempFolder _root = new("offload-digest");
    private readonly TempFolder _store = new("offload-digest-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Get_ThroughTrustedProxy_RedirectAnswerCarriesReprDigestAndDigest()
    {
        var path = _root.Combine("image.iso");
        TestFiles.WriteRandom(path, 700_000, seed: 190);
        var hex = await DigestProbe.Sha256SumAsync(path);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path,
            "--Gateway:Offload=NginxAccelRedirect", "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1"));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/image.iso", TimeSpan.FromSeconds(60));

        var response = await RawHttp.SendAsync(server.Port, "/files/image.iso", extraHeaders: "X-Forwarded-For: 203.0.113.9\r\nWant-Digest: SHA-256\r\n");

        Assert.Equal("/_protected/image.iso", response.Header("X-Accel-Redirect"));
        Assert.Equal(DigestProbe.ReprDigest("sha-256", hex), response.Header("Repr-Digest"));
        Assert.Equal("SHA-256=" + Convert.ToBase64String(Convert.FromHexString(hex)), response.Header("Digest"));
    }

    [Fact]
    public async Task Get_ThroughRealNginx_OffloadedWholeFileAndRangeCarryTheDigestNginxCopied()
    {
        var path = _root.Combine("image.iso");
        TestFiles.WriteRandom(path, 700_000, seed: 191);
        var hex = await DigestProbe.Sha256SumAsync(path);
        await using var stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: true, beforeStart: null, DigestProbe.Args(_store.Path));
        await DigestProbe.WaitForReprDigestAsync(stack.Nginx.Client, "files/image.iso", TimeSpan.FromSeconds(60));

        foreach (var range in new string?[] { null, "bytes=1000-1999" })
        {
            using var response = await stack.Nginx.Client.SendAsync(DigestProbe.Get("files/image.iso", range, ("Want-Digest", "SHA-256")));

            Assert.Equal(range is null ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(DigestProbe.ReprDigest("sha-256", hex), DigestProbe.Field(response, "Repr-Digest"));
            Assert.Equal("SHA-256=" + Convert.ToBase64String(Convert.FromHexString(hex)), DigestProbe.Field(response, "Digest"));
        }

        // nginx sent those bytes itself: the gateway only redirected.
        var entries = await stack.Nginx.WaitForAccessLogAsync(log => log.Count(e => e.AccelRedirect == NginxServer.InternalPrefix + "image.iso") >= 2);
        Assert.True(entries.Count(e => e.AccelRedirect == NginxServer.InternalPrefix + "image.iso") >= 2);
    }
}
