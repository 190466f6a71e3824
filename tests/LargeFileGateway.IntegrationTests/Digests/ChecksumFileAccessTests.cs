using System.Net;
using LargeFileGateway.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>
/// Issue 14: a generated <c>name.sha256</c> is behind the same access step as its file: a protected folder needs a
/// proof for the <c>.sha256</c> key itself, and a link signed for the file does not open it.
/// </summary>
public sealed class ChecksumFileAccessTests : IDisposable
{
    private static readonly byte[] Secret = [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 7))];
    private static readonly LinkSigner Signer = new("k1", Secret);

    private readonly TempFolder _root = new("sum-access");
    private readonly TempFolder _store = new("sum-access-store");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task GetSha256_ProtectedFolder_NeedsALinkSignedForTheChecksumKey()
    {
        TestFiles.WriteRandom(_root.Combine("private", "r.iso"), 300_000, seed: 195);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path,
            "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Signed", $"--Gateway:Access:Keys:k1={Convert.ToBase64String(Secret)}"));
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var fileLink = Signer.Mint("private/r.iso", expires).TrimStart('/');
        var sumLink = Signer.Mint("private/r.iso.sha256", expires).TrimStart('/');
        await DigestProbe.WaitForReprDigestAsync(server.Client, fileLink, TimeSpan.FromSeconds(60));

        using var unsigned = await server.Client.GetAsync("files/private/r.iso.sha256");
        using var withFileLink = await server.Client.GetAsync(fileLink.Replace("private/r.iso?", "private/r.iso.sha256?", StringComparison.Ordinal));
        using var withSumLink = await server.Client.GetAsync(sumLink);

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withFileLink.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withSumLink.StatusCode);
        Assert.Equal(await DigestProbe.Sha256SumAsync(_root.Combine("private", "r.iso")) + "  r.iso\n", await withSumLink.Content.ReadAsStringAsync());
    }
}
