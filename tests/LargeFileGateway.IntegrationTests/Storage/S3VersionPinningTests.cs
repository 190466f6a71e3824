using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Regression tests for issue 10 (reliability 10): on a versioned bucket of a real S3 engine, a read is pinned to
/// the version id its metadata named, so an overwrite during a download changes nothing for that download. s3rver
/// has no versioning and ignores If-Match, so this runs on Ceph RGW only.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3VersionPinningTests(StorageServersFixture servers) : IAsyncLifetime
{
    private const string Key = "big/archive.bin";

    private StorageBackend _backend = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(BackendKind.S3OnRgw, servers);
        _proxy = FaultProxy.Start(_backend.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Download_ObjectOverwrittenMidDownload_StaysByteExactOnTheOldVersion()
    {
        var original = Seeded(8 * 1024 * 1024, seed: 21);
        var overwrite = Seeded(original.Length, seed: 22);
        await _backend.PutAsync(Key, original);
        await using var gateway = await _backend.StartGatewayAsync(_proxy.Port, "--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00");
        _proxy.PauseAfter(2 * 1024 * 1024);

        using var response = await gateway.Client.GetAsync("files/" + Key, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        await _proxy.Paused.WaitAsync(TimeSpan.FromSeconds(30));
        await _backend.PutAsync(Key, overwrite);

        // The read in flight is cut, so the copier must reopen at its offset: only the version id gets the old bytes.
        _proxy.CutActiveConnections();
        _proxy.Release();
        var (sha256, length) = await TestFiles.Sha256Async(body).WaitAsync(TimeSpan.FromSeconds(60));
        using var next = await gateway.Client.GetAsync("files/" + Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original.Length, length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), sha256);
        Assert.Equal(overwrite, await next.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(response.Headers.ETag, next.Headers.ETag);
    }

    [Fact]
    public async Task GetRange_ResumedWithIfRangeAfterOverwrite_Returns200WithTheNewVersion()
    {
        var original = Seeded(300_000, seed: 23);
        var overwrite = Seeded(300_000, seed: 24);
        await _backend.PutAsync(Key, original);
        await using var gateway = await _backend.StartGatewayAsync(extraArgs: "--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00");
        using var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/" + Key));
        await _backend.PutAsync(Key, overwrite);

        // A client resuming with the validator of the version it has: the overwrite is another version (RFC 9110 §13.1.5).
        using var resume = new HttpRequestMessage(HttpMethod.Get, "files/" + Key);
        resume.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100_000, null);
        resume.Headers.IfRange = new System.Net.Http.Headers.RangeConditionHeaderValue(head.Headers.ETag!);
        using var response = await gateway.Client.SendAsync(resume);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(overwrite, await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Seeded(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
