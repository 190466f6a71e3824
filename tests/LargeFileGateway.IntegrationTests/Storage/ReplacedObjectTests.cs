using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// An object replaced while its metadata is still cached: the pinned read of the old version fails before the first
/// byte, and the gateway looks the object up once more and serves the new version instead of answering 503.
/// </summary>
public abstract class ReplacedObjectTests(StorageServersFixture servers, BackendKind kind) : IAsyncLifetime
{
    private StorageBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StorageBackend.CreateAsync(kind, servers);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Get_ObjectReplacedWhileItsMetadataIsCached_ServesTheNewVersion()
    {
        var first = Seeded(1000, seed: 1);
        var second = Seeded(3000, seed: 2);
        await _backend.PutAsync("report.bin", first);
        await using var gateway = await _backend.StartGatewayAsync(null, "--Gateway:Storage:Resilience:MetadataCacheTtl=00:10:00", "--Gateway:Events:Access=Open");
        var before = await gateway.Client.GetByteArrayAsync("files/report.bin");
        await _backend.PutAsync("report.bin", second);

        using var after = await gateway.Client.GetAsync("files/report.bin");

        Assert.Equal(first, before);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(second.Length, after.Content.Headers.ContentLength);
        Assert.Equal(second, await after.Content.ReadAsByteArrayAsync());
        // The attempt on the old version is no download in progress any more: live progress shows none left once
        // the handler of the answer has ended too.
        var transfers = gateway.Services.GetRequiredService<TransferRegistry>();
        Assert.True(await Eventually.TrueAsync(() => transfers.ActiveCount == 0, TimeSpan.FromSeconds(10)), $"{transfers.ActiveCount} transfers still active");
    }

    [Fact]
    public async Task GetRange_ObjectReplacedWhileItsMetadataIsCached_ServesTheRangeOfTheNewVersion()
    {
        var first = Seeded(1000, seed: 3);
        var second = Seeded(3000, seed: 4);
        await _backend.PutAsync("clip.bin", first);
        await using var gateway = await _backend.StartGatewayAsync(null, "--Gateway:Storage:Resilience:MetadataCacheTtl=00:10:00");
        using (await gateway.Client.GetAsync("files/clip.bin"))
        {
        }

        await _backend.PutAsync("clip.bin", second);
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/clip.bin");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(500, 599);

        using var after = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, after.StatusCode);
        Assert.Equal("bytes 500-599/3000", after.Content.Headers.ContentRange?.ToString());
        Assert.Equal(second[500..600], await after.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetRange_PastTheCachedLengthOfAGrownObject_ServesTheRangeOfTheNewVersion()
    {
        var first = Seeded(1000, seed: 5);
        var grown = Seeded(3000, seed: 6);
        await _backend.PutAsync("growing.bin", first);
        await using var gateway = await _backend.StartGatewayAsync(null, "--Gateway:Storage:Resilience:MetadataCacheTtl=00:10:00");
        using (await gateway.Client.GetAsync("files/growing.bin"))
        {
        }

        await _backend.PutAsync("growing.bin", grown);
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/growing.bin");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(2000, null);

        using var after = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, after.StatusCode);
        Assert.Equal("bytes 2000-2999/3000", after.Content.Headers.ContentRange?.ToString());
        Assert.Equal(grown[2000..], await after.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Seeded(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

[Collection(StorageServersGroup.Name)]
public sealed class S3ReplacedObjectTests(StorageServersFixture servers) : ReplacedObjectTests(servers, BackendKind.S3);

[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginReplacedObjectTests(StorageServersFixture servers) : ReplacedObjectTests(servers, BackendKind.HttpOrigin);
