using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>Issue 14: <c>Gateway:Digests:Warm</c> learns every file of the local root at start, before any request.</summary>
public sealed class WarmUpTests : IDisposable
{
    private readonly TempFolder _root = new("warm-root");
    private readonly TempFolder _store = new("warm-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Start_WarmUp_LearnsEveryFileWithoutARequestAndTheFirstAnswerHasTheDigest()
    {
        TestFiles.WriteRandom(_root.Combine("a.bin"), 300_000, seed: 197);
        TestFiles.WriteRandom(_root.Combine("deep", "b.bin"), 200_000, seed: 198);
        TestFiles.WriteRandom(_root.Combine(".hidden", "c.bin"), 1000, seed: 199);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path, "--Gateway:Digests:Warm=true"));

        var learnt = await Eventually.TrueAsync(() => Directory.GetFiles(_store.Path, "*.facts").Length >= 2, TimeSpan.FromSeconds(60));
        using var first = await server.Client.GetAsync("files/deep/b.bin");

        Assert.True(learnt, "the warm-up did not learn the two files");
        Assert.Equal(2, Directory.GetFiles(_store.Path, "*.facts").Length);
        Assert.Equal(DigestProbe.ReprDigest("sha-256", await DigestProbe.Sha256SumAsync(_root.Combine("deep", "b.bin"))), DigestProbe.Field(first, "Repr-Digest"));
    }
}
