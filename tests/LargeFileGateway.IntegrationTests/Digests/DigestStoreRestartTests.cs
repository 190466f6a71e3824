using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>Issue 14: the store outlives the process, and a damaged entry is dropped and learnt again, never served.</summary>
public sealed class DigestStoreRestartTests : IDisposable
{
    private static readonly TimeSpan HashTime = TimeSpan.FromSeconds(60);

    private readonly TempFolder _root = new("store-root");
    private readonly TempFolder _store = new("store-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Restart_DigestLearntBefore_IsOnTheFirstAnswerAfterIt()
    {
        var path = _root.Combine("kept.bin");
        TestFiles.WriteRandom(path, 1024 * 1024, seed: 160);
        var expected = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(path));
        await using (var first = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path)))
        {
            await DigestProbe.WaitForReprDigestAsync(first.Client, "files/kept.bin", HashTime);
        }

        await using var second = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        using var response = await second.Client.GetAsync("files/kept.bin");

        Assert.Equal(expected, DigestProbe.Field(response, "Repr-Digest"));
    }

    [Fact]
    public async Task Restart_CorruptedStoreEntry_IsNeverServedAndIsLearntAgain()
    {
        var path = _root.Combine("damaged.bin");
        TestFiles.WriteRandom(path, 1024 * 1024, seed: 161);
        var expected = DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(path));
        await using (var first = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path)))
        {
            await DigestProbe.WaitForReprDigestAsync(first.Client, "files/damaged.bin", HashTime);
        }

        // A plausible lie: another well-formed digest in place of the real one (its check line no longer matches).
        var entry = Directory.GetFiles(_store.Path, "*.facts").Single();
        var text = await File.ReadAllTextAsync(entry);
        var real = expected["sha-256=:".Length..^1];
        var realHex = Convert.ToHexStringLower(Convert.FromBase64String(real));
        await File.WriteAllTextAsync(entry, text.Replace("sha-256=" + realHex, "sha-256=" + new string('a', 64), StringComparison.Ordinal));

        await using var second = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        using var response = await second.Client.GetAsync("files/damaged.bin");
        var relearnt = await DigestProbe.WaitForReprDigestAsync(second.Client, "files/damaged.bin", HashTime);

        Assert.Contains("sha-256=" + realHex, text, StringComparison.Ordinal);
        Assert.Null(DigestProbe.Field(response, "Repr-Digest"));
        Assert.Equal(expected, relearnt);
    }
}
