using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14 on remote storage: the worker reads through the provider (S3 on s3rver, the HTTP origin), and a
/// publisher's sidecar is read from the same storage.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteDigestTests(StorageServersFixture servers) : IDisposable
{
    private static readonly TimeSpan HashTime = TimeSpan.FromSeconds(60);

    private readonly TempFolder _local = new("remote-digest");

    public void Dispose() => _local.Dispose();

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.HttpOrigin)]
    public async Task Get_RemoteObjectWithoutChecksum_DigestIsSha256sumOfItsBytes(BackendKind kind)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        var bytes = TestFiles.WriteRandom(_local.Combine("copy.bin"), 3 * 1024 * 1024 + 5, seed: 170);
        await backend.PutAsync("dir/object.bin", bytes);
        var expected = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(_local.Combine("copy.bin")));
        await using var gateway = await backend.StartGatewayAsync(extraArgs: DigestProbe.Args(_local.Combine("store")));

        using var first = await gateway.Client.GetAsync("files/dir/object.bin");
        var learnt = await DigestProbe.WaitForReprDigestAsync(gateway.Client, "files/dir/object.bin", HashTime);
        using var ranged = await gateway.Client.SendAsync(DigestProbe.Get("files/dir/object.bin", "bytes=10-20"));

        Assert.Null(DigestProbe.Field(first, "Repr-Digest"));
        Assert.Equal(expected, learnt);
        Assert.Equal(expected, DigestProbe.Field(ranged, "Repr-Digest"));
    }

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.HttpOrigin)]
    public async Task Get_SidecarInTheSameStorage_IsTrustedWithoutHashing(BackendKind kind)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        await backend.PutAsync("object.bin", TestFiles.WriteRandom(_local.Combine("copy.bin"), 100_000, seed: 171));
        var published = new string('7', 64);
        await backend.PutAsync("object.bin.sha256", System.Text.Encoding.UTF8.GetBytes(published + "  object.bin\n"));
        await using var gateway = await backend.StartGatewayAsync(extraArgs: DigestProbe.Args(_local.Combine("store")));

        var learnt = await DigestProbe.WaitForReprDigestAsync(gateway.Client, "files/object.bin", HashTime);

        // The publisher's (deliberately not the real) digest: proof it came from the sidecar, not from reading.
        Assert.Equal(DigestProbe.ReprDigest("sha-256", published), learnt);
    }
}
