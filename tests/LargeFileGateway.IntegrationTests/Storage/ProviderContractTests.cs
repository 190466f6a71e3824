using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// The storage contract, the same cases over every provider: metadata, ranges at chunk boundaries and at the last
/// byte, missing objects, and keys that must never reach storage. One subclass per provider below.
/// </summary>
public abstract class ProviderContractTests : IAsyncLifetime
{
    private const int ChunkSize = 64 * 1024;
    private const int FileLength = (4 * ChunkSize) + 1234;
    private static readonly byte[] Secret = "outside the served root"u8.ToArray();

    private readonly StorageServersFixture _servers;
    private readonly BackendKind _kind;
    private readonly byte[] _bytes = new byte[FileLength];
    private StorageBackend _backend = null!;
    private GatewayServer _gateway = null!;

    protected ProviderContractTests(StorageServersFixture servers, BackendKind kind)
    {
        _servers = servers;
        _kind = kind;
        new Random(41).NextBytes(_bytes);
    }

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(_kind, _servers);
        await _backend.PutAsync("data.bin", _bytes);
        await _backend.PutAsync("dir/季度 report 2024.bin", _bytes[..1000]);
        await _backend.PutAsync("empty.bin", []);
        await _backend.PutAsync(".env", Secret);
        await _backend.PutAsync("dir/.hidden/key.txt", Secret);
        await _backend.PutOutsideAsync("outside.txt", Secret);
        _gateway = await _backend.StartGatewayAsync(extraArgs: $"--Gateway:Download:ChunkSizeBytes={ChunkSize}");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Head_ExistingObject_ReturnsLengthStrongETagAndLastModified()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "files/data.bin");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileLength, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Fact]
    public async Task Get_WholeObject_ReturnsExactBytesWithoutBackendChecksumHeaders()
    {
        using var response = await _gateway.Client.GetAsync("files/data.bin");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SHA256.HashData(_bytes), SHA256.HashData(body));
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), header => header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_NonAsciiKeyWithSpaces_ReturnsThatObject()
    {
        using var response = await _gateway.Client.GetAsync("files/dir/" + Uri.EscapeDataString("季度 report 2024.bin"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes[..1000], body);
    }

    [Fact]
    public async Task Get_EmptyObject_Returns200WithNoBody()
    {
        using var response = await _gateway.Client.GetAsync("files/empty.bin");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Empty(body);
    }

    [Theory]
    [InlineData(0, ChunkSize - 1)]
    [InlineData(ChunkSize - 1, ChunkSize)]
    [InlineData(ChunkSize, (2 * ChunkSize) - 1)]
    [InlineData(ChunkSize - 7, (3 * ChunkSize) + 7)]
    [InlineData(FileLength - 1, FileLength - 1)]
    [InlineData(FileLength - ChunkSize - 1, FileLength - 1)]
    public async Task GetRange_AtChunkBoundariesAndLastByte_Returns206WithExactBytes(long first, long last)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.Range = new RangeHeaderValue(first, last);

        using var response = await _gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(first, last, FileLength), response.Content.Headers.ContentRange);
        Assert.Equal(_bytes[(int)first..(int)(last + 1)], body);
    }

    [Fact]
    public async Task GetRange_SuffixOfOneByte_ReturnsLastByte()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/data.bin");
        request.Headers.Range = new RangeHeaderValue(null, 1);

        using var response = await _gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(FileLength - 1, FileLength - 1, FileLength), response.Content.Headers.ContentRange);
        Assert.Equal([_bytes[^1]], body);
    }

    [Fact]
    public async Task Get_MissingObject_Returns404()
    {
        using var response = await _gateway.Client.GetAsync("files/no/such/object.bin");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/files/.env")]
    [InlineData("/files/dir/.hidden/key.txt")]
    [InlineData("/files/../outside.txt")]
    [InlineData("/files/%2e%2e/outside.txt")]
    [InlineData("/files/..%2Foutside.txt")]
    [InlineData("/files/dir/..%5C..%5Coutside.txt")]
    [InlineData("/files/%252e%252e/outside.txt")]
    public async Task Get_DotfileOrTraversalKey_IsRefusedWithoutBackendBytes(string target)
    {
        var response = await RawHttp.SendAsync(_gateway.Port, target);

        Assert.Contains(response.StatusCode, new[] { 400, 404 });
        Assert.DoesNotContain("outside the served root", System.Text.Encoding.Latin1.GetString(response.Body), StringComparison.Ordinal);
    }
}

[Collection(StorageServersGroup.Name)]
public sealed class LocalProviderContractTests(StorageServersFixture servers) : ProviderContractTests(servers, BackendKind.Local);

[Collection(StorageServersGroup.Name)]
public sealed class S3ProviderContractTests(StorageServersFixture servers) : ProviderContractTests(servers, BackendKind.S3);

[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginProviderContractTests(StorageServersFixture servers) : ProviderContractTests(servers, BackendKind.HttpOrigin);

/// <summary>The same cases on a real S3 engine (Ceph RGW, versioned bucket), where If-Match and version ids are honoured.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3OnRgwProviderContractTests(StorageServersFixture servers) : ProviderContractTests(servers, BackendKind.S3OnRgw);
