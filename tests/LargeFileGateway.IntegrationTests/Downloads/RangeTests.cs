using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// Every range form against real Kestrel, byte-exact against the source file, run unchanged over each storage
/// provider (the local folder, a real S3-compatible server, an HTTP origin): one subclass per provider below.
/// </summary>
public abstract class RangeTests : IAsyncLifetime
{
    private const int FileLength = 200_000;
    private static readonly byte[] TenBytes = "0123456789"u8.ToArray();
    private readonly StorageServersFixture _servers;
    private readonly BackendKind _kind;
    private readonly byte[] _bytes = new byte[FileLength];
    private StorageBackend _backend = null!;

    protected RangeTests(StorageServersFixture servers, BackendKind kind)
    {
        _servers = servers;
        _kind = kind;
        new Random(1).NextBytes(_bytes);
    }

    private GatewayServer Server { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(_kind, _servers);
        await _backend.PutAsync("data.bin", _bytes);
        await _backend.PutAsync("empty.bin", []);
        await _backend.PutAsync("one.bin", [42]);
        await _backend.PutAsync("ten.bin", TenBytes);
        Server = await _backend.StartGatewayAsync(null, "--Gateway:Download:ChunkSizeBytes=16384");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("bytes=0-1", 0, 1)] // Safari's probe: exactly two bytes.
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=-500", FileLength - 500, FileLength - 1)]
    [InlineData("bytes=1000-", 1000, FileLength - 1)]
    [InlineData("bytes=199000-299999", 199_000, FileLength - 1)]
    [InlineData("bytes=-300000", 0, FileLength - 1)]
    [InlineData("bytes=16383-16384", 16383, 16384)] // straddles a chunk boundary
    [InlineData("bytes=16384-32767", 16384, 32767)] // exactly one chunk
    [InlineData("bytes=16385-49151", 16385, 49151)]
    [InlineData("bytes=199999-199999", FileLength - 1, FileLength - 1)] // the last byte
    [InlineData("bytes=0-18446744073709551615", 0, FileLength - 1)]
    public async Task GetWithRange_Satisfiable_Returns206WithExactSlice(string range, int first, int last)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await Server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/{FileLength}", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(last - first + 1, response.Content.Headers.ContentLength);
        Assert.Equal(_bytes.AsSpan(first, last - first + 1).ToArray(), body);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Theory]
    [InlineData("bytes=200000-")]
    [InlineData("bytes=200000-300000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=9223372036854775807-")]
    public async Task GetWithRange_Unsatisfiable_Returns416WithEmptyBody(string range)
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/data.bin", extraHeaders: $"Range: {range}\r\n");

        Assert.Equal(416, response.StatusCode);
        Assert.Equal($"bytes */{FileLength}", response.Header("Content-Range"));
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    }

    [Theory]
    [InlineData("bytes=alpha")]
    [InlineData("bytes=7-1")]
    [InlineData("items=0-5")]
    [InlineData("bytes=1-4,x")]
    [InlineData("bytes=10")]
    public async Task GetWithRange_Invalid_Returns200WholeFile(string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await Server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, body);
        Assert.False(response.Content.Headers.Contains("Content-Range"));
    }

    [Fact]
    public async Task HeadWithRange_IgnoresRange_Returns200Headers()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/data.bin", "HEAD", "Range: bytes=0-1\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(FileLength.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Null(response.Header("Content-Range"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Head_HasTheSameHeadersAsGet()
    {
        using var get = await Server.Client.GetAsync("files/data.bin", HttpCompletionOption.ResponseHeadersRead);
        using var head = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/data.bin"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        foreach (var name in new[] { "ETag", "Accept-Ranges", "Cache-Control", "X-Accel-Buffering", "X-Content-Type-Options" })
        {
            Assert.Equal(get.Headers.GetValues(name), head.Headers.GetValues(name));
        }

        foreach (var name in new[] { "Content-Length", "Content-Type", "Last-Modified", "Content-Disposition" })
        {
            Assert.Equal(get.Content.Headers.GetValues(name), head.Content.Headers.GetValues(name));
        }

        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetWithSeveralRanges_ReturnsMultipartWithEachPartExact()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", "bytes=500-599, 0-99,16380-16390,-10");

        using var response = await Server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!;
        var parts = await MultipartReader.ReadPartsAsync(body, boundary);
        Assert.Equal(4, parts.Count);
        (int First, int Last)[] expected = [(500, 599), (0, 99), (16380, 16390), (FileLength - 10, FileLength - 1)];
        for (var i = 0; i < expected.Length; i++)
        {
            var (first, last) = expected[i];
            Assert.Equal($"bytes {first}-{last}/{FileLength}", parts[i].ContentRange);
            Assert.Equal("application/octet-stream", parts[i].ContentType);
            Assert.Equal(_bytes.AsSpan(first, last - first + 1).ToArray(), parts[i].Body);
        }
    }

    [Fact]
    public async Task GetWithOverlappingRanges_CoalescesIntoOneRange()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-99,50-149,150-199");

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 0-199/{FileLength}", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(_bytes.AsSpan(0, 200).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetWithTooManyRanges_Returns200WholeFile()
    {
        var ranges = string.Join(',', Enumerable.Range(0, 17).Select(i => $"{i * 1000}-{(i * 1000) + 10}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", "bytes=" + ranges);

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetWithManyTinyRangesOnSmallFile_NeverAmplifies()
    {
        // Part headers would make the multipart body larger than the file: the whole file is sent instead.
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/one.bin");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-0,0-0");
        using var single = await Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, single.StatusCode);

        var response = await RawHttp.SendAsync(Server.Port, "/files/data.bin", extraHeaders: "Range: bytes=" + string.Join(',', Enumerable.Range(0, 16).Select(i => $"{i * 2}-{i * 2}")) + "\r\n");

        Assert.Equal(206, response.StatusCode);
        Assert.True(response.Body.Length < FileLength);
    }

    [Fact]
    public async Task GetWithRangesWhosePartHeadersOutweighTheFile_SendsTheWholeFileInstead()
    {
        // Three one-byte parts of a ten-byte file: each part header alone is longer than the file.
        var response = await RawHttp.SendAsync(Server.Port, "/files/ten.bin", extraHeaders: "Range: bytes=0-0,2-2,4-4\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.Header("Content-Range"));
        Assert.Equal("10", response.Header("Content-Length"));
        Assert.Equal(TenBytes, response.Body);
    }

    [Fact]
    public async Task GetWithTwoRangeFields_IgnoresRange()
    {
        var response = await RawHttp.SendAsync(Server.Port, "/files/data.bin", extraHeaders: "Range: bytes=0-1\r\nRange: bytes=5-6\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(FileLength, response.Body.Length);
    }

    [Fact]
    public async Task EmptyFile_Returns200WithZeroLength_AndAnyRangeIs416()
    {
        using var whole = await Server.Client.GetAsync("files/empty.bin");
        var ranged = await RawHttp.SendAsync(Server.Port, "/files/empty.bin", extraHeaders: "Range: bytes=0-0\r\n");

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(0, whole.Content.Headers.ContentLength);
        Assert.Equal(416, ranged.StatusCode);
        Assert.Equal("bytes */0", ranged.Header("Content-Range"));
    }

    [Theory]
    [InlineData("bytes=0-0")]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-1")]
    [InlineData("bytes=-2")]
    [InlineData("bytes=0-2")]
    public async Task OneByteFile_AnySatisfiableRange_ReturnsTheByte(string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/one.bin");
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 0-0/1", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal([42], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetWithRangeAndAcceptEncoding_IsNeverCompressed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        request.Headers.Range = new RangeHeaderValue(0, 999);

        using var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(_bytes.AsSpan(0, 1000).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }
}

[Collection(StorageServersGroup.Name)]
public sealed class LocalRangeTests(StorageServersFixture servers) : RangeTests(servers, BackendKind.Local);

[Collection(StorageServersGroup.Name)]
public sealed class S3RangeTests(StorageServersFixture servers) : RangeTests(servers, BackendKind.S3);

[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginRangeTests(StorageServersFixture servers) : RangeTests(servers, BackendKind.HttpOrigin);
