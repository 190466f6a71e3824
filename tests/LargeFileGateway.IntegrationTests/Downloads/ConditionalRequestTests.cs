using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>304, 412 and If-Range over real Kestrel (RFC 9110 §13).</summary>
public sealed class ConditionalRequestTests() : GatewayTest("cond")
{
    private static readonly DateTime Modified = new(2024, 3, 1, 8, 30, 15, DateTimeKind.Utc);
    private byte[] _bytes = null!;
    private string _etag = null!;

    protected override Task ArrangeAsync()
    {
        _bytes = TestFiles.WriteRandom(Root.Combine("v.bin"), 50_000);
        File.SetLastWriteTimeUtc(Root.Combine("v.bin"), Modified);
        return Task.CompletedTask;
    }

    protected override async Task StartedAsync()
    {
        using var head = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/v.bin"));
        _etag = head.Headers.ETag!.ToString();
    }

    [Fact]
    public async Task IfNoneMatch_CurrentETag_Returns304WithETagAndNoBody()
    {
        var response = await SendAsync($"If-None-Match: {_etag}\r\n");

        Assert.Equal(304, response.StatusCode);
        Assert.Equal(_etag, response.Header("ETag"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task IfNoneMatch_CurrentETagWithRange_Returns304()
    {
        var response = await SendAsync($"If-None-Match: {_etag}\r\nRange: bytes=0-1\r\n");

        Assert.Equal(304, response.StatusCode);
    }

    [Fact]
    public async Task IfModifiedSince_LastModified_Returns304()
    {
        var response = await SendAsync($"If-Modified-Since: {HeaderUtilities.FormatDate(Modified)}\r\n");

        Assert.Equal(304, response.StatusCode);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task IfModifiedSince_InThePastWithRange_Returns206()
    {
        var response = await SendAsync($"If-Modified-Since: {HeaderUtilities.FormatDate(Modified.AddDays(-1))}\r\nRange: bytes=0-9\r\n");

        Assert.Equal(206, response.StatusCode);
        Assert.Equal(_bytes.AsSpan(0, 10).ToArray(), response.Body);
    }

    [Fact]
    public async Task IfNoneMatch_OldETag_IgnoresIfModifiedSince_Returns200()
    {
        var response = await SendAsync($"If-None-Match: \"old\"\r\nIf-Modified-Since: {HeaderUtilities.FormatDate(Modified.AddDays(1))}\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_bytes, response.Body);
    }

    [Fact]
    public async Task IfMatch_OldETag_Returns412ProblemDetails()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/v.bin");
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"old\""));

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task IfUnmodifiedSince_BeforeLastModified_Returns412()
    {
        var response = await SendAsync($"If-Unmodified-Since: {HeaderUtilities.FormatDate(Modified.AddSeconds(-1))}\r\n");

        Assert.Equal(412, response.StatusCode);
    }

    [Fact]
    public async Task IfMatch_CurrentETag_OverridesIfUnmodifiedSince_Returns200()
    {
        var response = await SendAsync($"If-Match: {_etag}\r\nIf-Unmodified-Since: {HeaderUtilities.FormatDate(Modified.AddDays(-1))}\r\n");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task IfRange_CurrentStrongETag_Returns206()
    {
        var response = await SendAsync($"Range: bytes=100-199\r\nIf-Range: {_etag}\r\n");

        Assert.Equal(206, response.StatusCode);
        Assert.Equal(_bytes.AsSpan(100, 100).ToArray(), response.Body);
    }

    [Theory]
    [InlineData("\"stale\"")]
    [InlineData("W/{0}")]
    public async Task IfRange_StaleOrWeakETag_Returns200WholeFile(string format)
    {
        var ifRange = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, _etag);

        var response = await SendAsync($"Range: bytes=100-199\r\nIf-Range: {ifRange}\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_bytes, response.Body);
    }

    [Fact]
    public async Task IfRange_ExactLastModified_Returns206()
    {
        var response = await SendAsync($"Range: bytes=0-9\r\nIf-Range: {HeaderUtilities.FormatDate(Modified)}\r\n");

        Assert.Equal(206, response.StatusCode);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(86400)]
    public async Task IfRange_AnyOtherDate_Returns200(int offsetSeconds)
    {
        var response = await SendAsync($"Range: bytes=0-9\r\nIf-Range: {HeaderUtilities.FormatDate(Modified.AddSeconds(offsetSeconds))}\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_bytes.Length, response.Body.Length);
    }

    [Fact]
    public async Task IfRange_AfterFileReplaced_Returns200WithNewBytes()
    {
        var response = await SendAsync($"Range: bytes=0-9\r\nIf-Range: {_etag}\r\n");
        Assert.Equal(206, response.StatusCode);
        var replacement = TestFiles.WriteRandom(Root.Combine("v.bin"), 50_000, seed: 99);

        var after = await SendAsync($"Range: bytes=0-9\r\nIf-Range: {_etag}\r\n");

        Assert.Equal(200, after.StatusCode);
        Assert.NotEqual(_etag, after.Header("ETag"));
        Assert.Equal(replacement, after.Body);
    }

    [Fact]
    public async Task MalformedConditionalHeaders_NeverGive500()
    {
        string[] hostile =
        [
            "If-Match: \"unterminated\r\n",
            "If-None-Match: ,,,\r\n",
            "If-Modified-Since: yesterday\r\n",
            "If-Unmodified-Since: 99999999999999999999\r\n",
            "If-Range: \r\nRange: bytes=0-1\r\n",
            "If-Range: W/\r\nRange: bytes=0-1\r\n",
            "Range: bytes=0-1\r\nIf-Range: Mon, 32 Foo 2024 99:99:99 GMT\r\n",
        ];

        foreach (var header in hostile)
        {
            var response = await SendAsync(header);
            Assert.InRange(response.StatusCode, 200, 499);
        }
    }

    private Task<RawHttp.Response> SendAsync(string headers) => RawHttp.SendAsync(Server.Port, "/files/v.bin", extraHeaders: headers);
}
