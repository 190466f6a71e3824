using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// The core range and precondition cases (RFC 9110 §13 and §14), run unchanged over every provider: what a client
/// sees must not depend on where the bytes live. One subclass per provider below.
/// </summary>
public abstract class RangeAndPreconditionSuite : IAsyncLifetime
{
    private const int FileLength = 200_000;

    private readonly StorageServersFixture _servers;
    private readonly BackendKind _kind;
    private readonly byte[] _bytes = new byte[FileLength];
    private StorageBackend _backend = null!;
    private GatewayServer _gateway = null!;
    private EntityTagHeaderValue _etag = null!;
    private DateTimeOffset _lastModified;

    protected RangeAndPreconditionSuite(StorageServersFixture servers, BackendKind kind)
    {
        _servers = servers;
        _kind = kind;
        new Random(43).NextBytes(_bytes);
    }

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(_kind, _servers);
        await _backend.PutAsync("video.mp4", _bytes);
        _gateway = await _backend.StartGatewayAsync();
        using var head = await _gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/video.mp4"));
        _etag = head.Headers.ETag!;
        _lastModified = head.Content.Headers.LastModified!.Value;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task IfNoneMatch_CurrentETag_Returns304WithValidators()
    {
        using var response = await SendAsync(r => r.Headers.IfNoneMatch.Add(_etag));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(_etag, response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfNoneMatch_OtherETag_Returns200()
    {
        using var response = await SendAsync(r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\"")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfMatch_OtherETag_Returns412()
    {
        using var response = await SendAsync(r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task IfMatch_CurrentETagWithRange_Returns206()
    {
        using var response = await SendAsync(r =>
        {
            r.Headers.IfMatch.Add(_etag);
            r.Headers.Range = new RangeHeaderValue(100, 199);
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_bytes[100..200], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfModifiedSince_LastModified_Returns304()
    {
        using var response = await SendAsync(r => r.Headers.IfModifiedSince = _lastModified);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task IfUnmodifiedSince_BeforeLastModified_Returns412()
    {
        using var response = await SendAsync(r => r.Headers.IfUnmodifiedSince = _lastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task IfRange_CurrentETag_Returns206()
    {
        using var response = await SendAsync(r =>
        {
            r.Headers.Range = new RangeHeaderValue(1000, null);
            r.Headers.IfRange = new RangeConditionHeaderValue(_etag);
        });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_bytes[1000..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfRange_StaleETag_Returns200WithWholeObject()
    {
        using var response = await SendAsync(r =>
        {
            r.Headers.Range = new RangeHeaderValue(1000, null);
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"stale\""));
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfRange_WeakETag_Returns200WithWholeObject()
    {
        using var response = await SendAsync(r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 9);
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(_etag.Tag, isWeak: true));
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileLength, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Range_Unsatisfiable_Returns416WithCompleteLength()
    {
        using var response = await SendAsync(r => r.Headers.TryAddWithoutValidation("Range", $"bytes={FileLength}-"));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{FileLength}", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Range_Malformed_IsIgnoredWith200()
    {
        using var response = await SendAsync(r => r.Headers.TryAddWithoutValidation("Range", "bytes=oops"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Range_OnHead_IsIgnored()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "files/video.mp4");
        request.Headers.Range = new RangeHeaderValue(0, 9);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileLength, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Range_Several_ReturnsMultipartWithExactParts()
    {
        long[][] asked = [[0, 99], [65_530, 65_545], [FileLength - 10, FileLength - 1]];

        using var response = await SendAsync(r => r.Headers.TryAddWithoutValidation("Range", "bytes=" + string.Join(',', asked.Select(a => $"{a[0]}-{a[1]}"))));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var parts = ParseParts(body, response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'));
        Assert.Equal(asked.Length, parts.Count);
        for (var i = 0; i < asked.Length; i++)
        {
            Assert.Equal($"bytes {asked[i][0]}-{asked[i][1]}/{FileLength}", parts[i].ContentRange);
            Assert.Equal(_bytes[(int)asked[i][0]..(int)(asked[i][1] + 1)], parts[i].Body);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Action<HttpRequestMessage> configure)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "files/video.mp4");
        configure(request);
        return await _gateway.Client.SendAsync(request);
    }

    // RFC 9110 §14.6: each part is "--boundary CRLF headers CRLF CRLF body CRLF"; bodies are binary, so parse bytes.
    private static List<(string ContentRange, byte[] Body)> ParseParts(byte[] body, string boundary)
    {
        var text = System.Text.Encoding.Latin1.GetString(body);
        var delimiter = "--" + boundary;
        var parts = new List<(string, byte[])>();
        var at = text.IndexOf(delimiter, StringComparison.Ordinal);
        while (at >= 0 && !text.AsSpan(at + delimiter.Length).StartsWith("--"))
        {
            var headersEnd = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            var contentRange = text[at..headersEnd].Split("\r\n").Single(l => l.StartsWith("Content-Range:", StringComparison.OrdinalIgnoreCase))["Content-Range:".Length..].Trim();
            var range = contentRange["bytes ".Length..contentRange.IndexOf('/', StringComparison.Ordinal)].Split('-');
            var length = long.Parse(range[1], CultureInfo.InvariantCulture) - long.Parse(range[0], CultureInfo.InvariantCulture) + 1;
            var start = headersEnd + 4;
            parts.Add((contentRange, body[start..(start + (int)length)]));
            at = text.IndexOf(delimiter, start + (int)length, StringComparison.Ordinal);
        }

        return parts;
    }
}

[Collection(StorageServersGroup.Name)]
public sealed class LocalRangeAndPreconditionTests(StorageServersFixture servers) : RangeAndPreconditionSuite(servers, BackendKind.Local);

[Collection(StorageServersGroup.Name)]
public sealed class S3RangeAndPreconditionTests(StorageServersFixture servers) : RangeAndPreconditionSuite(servers, BackendKind.S3);

[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginRangeAndPreconditionTests(StorageServersFixture servers) : RangeAndPreconditionSuite(servers, BackendKind.HttpOrigin);

/// <summary>The same cases on a real S3 engine (Ceph RGW, versioned bucket), where If-Match and version ids are honoured.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3OnRgwRangeAndPreconditionTests(StorageServersFixture servers) : RangeAndPreconditionSuite(servers, BackendKind.S3OnRgw);
