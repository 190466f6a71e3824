using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Walks are never shared where access is not open everywhere: a link's answers change with the clock, so the same
/// link a few seconds later (expired) must not reuse the member list it had while valid.
/// </summary>
public sealed class ArchiveSharedWalkAccessTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("archive-shared-access");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("pub", "a.txt"), 100, seed: 1);
        TestFiles.WriteRandom(_root.Combine("pub", "secret", "s.bin"), 20 << 20, seed: 2);
        _server = await SignedLinkTestServer.StartAsync(_root.Path, _time, null,
            "--Gateway:Archives:Enabled=true", "--Gateway:Access:Rules:1:Prefix=pub/secret/", "--Gateway:Access:Rules:1:Policy=Signed");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task ExpiredLinkResumingDuringADownloadWithTheValidLink_GetsItsOwnArchiveWithoutTheProtectedSubFolder()
    {
        var link = SignedLinkTestServer.Signer.Mint("pub", _time.GetUtcNow() + TimeSpan.FromSeconds(1), prefixScope: true);
        var url = "archives/pub.zip" + link[link.IndexOf('?', StringComparison.Ordinal)..];

        // While valid, the link opens pub/secret/ too: a download of it runs (20 MiB, more than the socket buffers hold).
        using var valid = await _server.Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.True(valid.Content.Headers.ContentLength > 20 << 20);

        _time.Advance(TimeSpan.FromSeconds(2));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(100, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(valid.Headers.ETag!);
        using var expired = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        // Its own walk leaves pub/secret/ out: another archive (another ETag), so If-Range sends it whole.
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.NotEqual(valid.Headers.ETag, expired.Headers.ETag);
        Assert.True(expired.Content.Headers.ContentLength < 10_000, $"the expired link got {expired.Content.Headers.ContentLength} bytes");
    }
}
