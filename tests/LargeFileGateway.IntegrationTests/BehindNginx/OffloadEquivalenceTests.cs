using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// The same requests through nginx to a gateway that streams (direct) and to one that hands the bytes to nginx
/// (X-Accel-Redirect): status, every header a client sees and the body must be the same.
/// </summary>
public sealed partial class OffloadEquivalenceTests : IAsyncLifetime
{
    private const string RequestPath = "/files/docs/report%202024%20%C3%A9%20%231%20100%25.pdf";
    private const int FileLength = 300_000;

    private readonly TempFolder _root = new("offload-eq");
    private GatewaysBehindNginx _direct = null!;
    private GatewaysBehindNginx _offload = null!;
    private string _etag = null!;
    private string _lastModified = null!;

    public async Task InitializeAsync()
    {
        var path = _root.Combine("docs", "report 2024 é #1 100%.pdf");
        TestFiles.WriteRandom(path, FileLength, seed: 3);
        File.WriteAllText(_root.Combine("docs", "page.html"), "<script>fetch('/events')</script>");
        File.CreateSymbolicLink(_root.Combine("latest.pdf"), Path.Combine("docs", "report 2024 é #1 100%.pdf"));

        // A day old, so that Last-Modified is a strong validator and If-Range may use the date (RFC 9110 §13.1.5).
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-1));
        _direct = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: false);
        _offload = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: true);
        var head = await RawHttp.SendAsync(_direct.Nginx.Port, RequestPath, "HEAD");
        _etag = head.Header("ETag")!;
        _lastModified = head.Header("Last-Modified")!;
    }

    public async Task DisposeAsync()
    {
        await _offload.DisposeAsync();
        await _direct.DisposeAsync();
        _root.Dispose();
    }

    [Theory]
    [InlineData("GET", "", "", true)]
    [InlineData("GET", "?inline=1", "", true)]
    [InlineData("HEAD", "", "", false)]
    [InlineData("GET", "", "Range: bytes=0-0", true)]
    [InlineData("GET", "", "Range: bytes=1000-", true)]
    [InlineData("GET", "", "Range: bytes=-500", true)]
    [InlineData("GET", "", "Range: bytes=299999-400000", true)]
    [InlineData("GET", "", "Range: bytes=100-199\r\nIf-Range: {etag}", false)]
    [InlineData("GET", "", "Range: bytes=100-199\r\nIf-Range: {lastModified}", false)]
    [InlineData("GET", "", "Range: bytes=100-199\r\nIf-Range: \"stale\"", false)]
    [InlineData("GET", "", "Range: bytes=100-199\r\nIf-Match: {etag}", false)]
    [InlineData("GET", "", "If-Match: \"other\"", false)]
    [InlineData("GET", "", "If-None-Match: {etag}", false)]
    [InlineData("GET", "", "If-None-Match: \"other\"", true)]
    [InlineData("GET", "", "If-Modified-Since: {lastModified}", false)]
    [InlineData("GET", "", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT", false)]
    [InlineData("GET", "", "Range: bytes=300000-", false)]
    [InlineData("GET", "", "Range: bytes=0-1,0-1", false)]
    [InlineData("GET", "", "Range: bytes=0-9, 20-29", false)]
    public async Task Request_DirectAndOffload_AnswerIdentically(string method, string query, string headers, bool offloaded)
    {
        var extra = headers.Replace("{etag}", _etag, StringComparison.Ordinal).Replace("{lastModified}", _lastModified, StringComparison.Ordinal);
        extra = extra.Length == 0 ? string.Empty : extra + "\r\n";

        var direct = await RawHttp.SendAsync(_direct.Nginx.Port, RequestPath + query, method, extra);
        var viaNginx = await RawHttp.SendAsync(_offload.Nginx.Port, RequestPath + query, method, extra);

        Assert.Equal(direct.StatusCode, viaNginx.StatusCode);
        Assert.Equal(VisibleHeaders(direct), VisibleHeaders(viaNginx));
        Assert.Equal(await BodyAsync(direct), await BodyAsync(viaNginx));
        var served = await _offload.Nginx.WaitForAccessLogAsync(entries => entries.Count > 0);
        Assert.Equal(offloaded, Assert.Single(served).AccelRedirect is not null);
    }

    [Fact]
    public async Task OffloadedGet_NonAsciiName_ReachesTheFileThroughItsEncodedUri()
    {
        var response = await RawHttp.SendAsync(_offload.Nginx.Port, RequestPath);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("docs", "report 2024 é #1 100%.pdf")), Convert.ToHexStringLower(SHA256.HashData(response.Body)));
        var entry = Assert.Single(await _offload.Nginx.WaitForAccessLogAsync(entries => entries.Count > 0));
        Assert.Equal(NginxServer.InternalPrefix + "docs/report%202024%20%C3%A9%20%231%20100%25.pdf", entry.AccelRedirect);
    }

    [Fact]
    public async Task OffloadedGet_SymlinkInsideTheRoot_NginxIsSentToTheRealFileAndServesIt()
    {
        // The internal location refuses every symlink (disable_symlinks): the gateway, which followed and checked this
        // one, redirects to the file it leads to, so a link inside the root works in offload mode as in direct mode.
        var direct = await RawHttp.SendAsync(_direct.Nginx.Port, "/files/latest.pdf");
        var viaNginx = await RawHttp.SendAsync(_offload.Nginx.Port, "/files/latest.pdf");

        Assert.Equal(200, viaNginx.StatusCode);
        Assert.Equal(VisibleHeaders(direct), VisibleHeaders(viaNginx));
        Assert.Equal(direct.Body, viaNginx.Body);
        Assert.StartsWith("attachment; filename=latest.pdf", viaNginx.Header("Content-Disposition"), StringComparison.Ordinal);
        var entry = Assert.Single(await _offload.Nginx.WaitForAccessLogAsync(entries => entries.Count > 0));
        Assert.Equal(NginxServer.InternalPrefix + "docs/report%202024%20%C3%A9%20%231%20100%25.pdf", entry.AccelRedirect);
    }

    [Fact]
    public async Task InlineActiveContent_DirectAndOffload_AreBothSandboxed()
    {
        var direct = await RawHttp.SendAsync(_direct.Nginx.Port, "/files/docs/page.html?inline=1");
        var viaNginx = await RawHttp.SendAsync(_offload.Nginx.Port, "/files/docs/page.html?inline=1");

        Assert.Equal("sandbox", direct.Header("Content-Security-Policy"));
        Assert.Equal(VisibleHeaders(direct), VisibleHeaders(viaNginx));
        Assert.Equal(direct.Body, viaNginx.Body);
        Assert.NotNull(Assert.Single(await _offload.Nginx.WaitForAccessLogAsync(entries => entries.Count > 0)).AccelRedirect);
    }

    [Theory]
    [InlineData("/_protected/docs/report%202024%20%C3%A9%20%231%20100%25.pdf")]
    [InlineData("/_protected/../docs/report%202024%20%C3%A9%20%231%20100%25.pdf")]
    public async Task InternalLocation_AskedForDirectly_Returns404(string target)
    {
        var response = await RawHttp.SendAsync(_offload.Nginx.Port, target);

        Assert.Equal(404, response.StatusCode);
        Assert.DoesNotContain("Content-Disposition", response.HeaderBlock, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The header lines a client sees, sorted, without the ones that differ per response by nature.</summary>
    private static List<string> VisibleHeaders(RawHttp.Response response)
        => [.. response.HeaderBlock.Split("\r\n").Skip(1)
            .Where(line => !line.StartsWith(HeaderNames.Date + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => Boundary().Replace(line, "boundary=B"))
            .Order(StringComparer.Ordinal)];

    /// <summary>What the body says, without what is random per response (multipart boundary, trace id).</summary>
    private static async Task<string> BodyAsync(RawHttp.Response response)
    {
        if (response.Header(HeaderNames.ContentType) is { } type && Boundary().Match(type) is { Success: true } match)
        {
            var boundary = match.Groups[1].Value;
            var parts = await MultipartReader.ReadPartsAsync(response.Body, boundary);
            return string.Join('|', parts.Select(p => p.ContentRange + ":" + Convert.ToHexStringLower(SHA256.HashData(p.Body))));
        }

        if (response.Header(HeaderNames.ContentType) is "application/problem+json")
        {
            // Problem details carry the request's own trace id.
            return TraceId().Replace(System.Text.Encoding.UTF8.GetString(response.Body), "\"traceId\":\"T\"");
        }

        return Convert.ToHexStringLower(SHA256.HashData(response.Body));
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [GeneratedRegex("boundary=([0-9A-Za-z'()+_,./:=?-]+)")]
    private static partial Regex Boundary();
}
