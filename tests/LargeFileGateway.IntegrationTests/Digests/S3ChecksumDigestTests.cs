using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14: an S3 object with a full-object <c>x-amz-checksum-sha256</c> gets it as its digest without being read;
/// a composite multipart checksum (<c>base64-N</c>) is not a file digest and the object is read instead.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3ChecksumDigestTests(StorageServersFixture servers) : IAsyncLifetime
{
    private static readonly TimeSpan HashTime = TimeSpan.FromSeconds(60);

    private readonly TempFolder _local = new("s3-checksum");
    private StorageBackend _backend = null!;
    private ChecksumHeaderProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(BackendKind.S3, servers);
        _proxy = await ChecksumHeaderProxy.StartAsync(_backend.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _local.Dispose();
    }

    [Fact]
    public async Task Get_FullObjectChecksum_IsTheDigestWithoutReadingTheObject()
    {
        await _backend.PutAsync("full.bin", TestFiles.WriteRandom(_local.Combine("full.bin"), 200_000, seed: 180));
        var stored = Convert.ToBase64String(Enumerable.Repeat((byte)0x5a, 32).ToArray());
        _proxy.Answer($"/{_backend.Bucket}/pub/full.bin", stored, "FULL_OBJECT");
        await using var gateway = await _backend.StartGatewayAsync(_proxy.Port, DigestProbe.Args(_local.Combine("store")));

        var learnt = await DigestProbe.WaitForReprDigestAsync(gateway.Client, "files/full.bin", HashTime);

        // Not the bytes' digest on purpose: the value S3 keeps is what is sent, so the object was not read for it.
        Assert.Equal("sha-256=:" + stored + ":", learnt);
        Assert.True(_proxy.ChecksumLookups >= 1);
    }

    [Theory]
    [InlineData("-3", null)]
    [InlineData("-3", "COMPOSITE")]
    [InlineData("", "COMPOSITE")]
    public async Task Get_CompositeMultipartChecksum_IsIgnoredAndTheObjectIsRead(string suffix, string? type)
    {
        await _backend.PutAsync("parts.bin", TestFiles.WriteRandom(_local.Combine("parts.bin"), 300_000, seed: 181));
        _proxy.Answer($"/{_backend.Bucket}/pub/parts.bin", Convert.ToBase64String(Enumerable.Repeat((byte)0x11, 32).ToArray()) + suffix, type);
        await using var gateway = await _backend.StartGatewayAsync(_proxy.Port, DigestProbe.Args(_local.Combine("store-" + suffix + type)));

        var learnt = await DigestProbe.WaitForReprDigestAsync(gateway.Client, "files/parts.bin", HashTime);

        Assert.Equal(DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(_local.Combine("parts.bin"))), learnt);
        Assert.True(_proxy.ChecksumLookups >= 1);
    }
}
