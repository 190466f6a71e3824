using System.Net;
using LargeFileGateway.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Issue 15: archives go through the access policy: the folder's own (refused without its proof), then each member's,
/// so an open folder never packs a protected sub-folder; a prefix-scoped signed link opens a folder's archive.
/// </summary>
public sealed class ArchiveAccessTests() : GatewayTest("archive-access"), IDisposable
{
    private static readonly byte[] Secret = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))];
    private static readonly LinkSigner Signer = new("k1", Secret);
    private readonly TempFolder _downloads = new("archive-access-out");

    protected override string[] GatewayArguments =>
    [
        "--Gateway:Archives:Enabled=true",
        "--Gateway:Access:Rules:0:Prefix=private/", "--Gateway:Access:Rules:0:Policy=Signed",
        "--Gateway:Access:Rules:1:Prefix=pub/secret/", "--Gateway:Access:Rules:1:Policy=Signed",
        $"--Gateway:Access:Keys:k1={Convert.ToBase64String(Secret)}",
    ];

    public void Dispose() => _downloads.Dispose();

    protected override Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("pub", "a.txt"), 100, seed: 1);
        TestFiles.WriteRandom(Root.Combine("pub", "secret", "s.bin"), 100, seed: 2);
        TestFiles.WriteRandom(Root.Combine("private", "p.bin"), 100, seed: 3);

        // Links in an open folder that lead into the protected one: a download of either refuses them.
        TestFiles.WriteRandom(Root.Combine("linked", "a.txt"), 100, seed: 4);
        File.CreateSymbolicLink(Root.Combine("linked", "leak.bin"), Root.Combine("private", "p.bin"));
        File.CreateSymbolicLink(Root.Combine("linked", "leakdir"), Root.Combine("private"));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task OpenFolderWithAProtectedSubFolder_ArchiveWithoutProof_LeavesTheSubFolderOut()
    {
        var members = await MembersAsync("archives/pub.zip");

        Assert.Equal(["a.txt"], members);
    }

    [Fact]
    public async Task OpenFolder_PrefixLinkThatAlsoOpensTheSubFolder_ArchiveHasIt()
    {
        var link = Signer.Mint("pub", DateTimeOffset.UtcNow.AddHours(1), prefixScope: true);

        var members = await MembersAsync(ArchiveUrl(link, "pub"));

        Assert.Equal(["a.txt", "secret/s.bin"], members);
    }

    [Fact]
    public async Task ProtectedFolder_NoProof_RefusedBeforeAnyListing()
    {
        using var response = await Server.Client.GetAsync("archives/private.zip");

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ProtectedFolder_PrefixScopedSignedLink_OpensItsArchive()
    {
        var link = Signer.Mint("private", DateTimeOffset.UtcNow.AddHours(1), prefixScope: true);

        var members = await MembersAsync(ArchiveUrl(link, "private"));

        Assert.Equal(["p.bin"], members);
    }

    [Fact]
    public async Task ProtectedFolder_LinkForOneFileInside_DoesNotOpenTheArchive()
    {
        var link = Signer.Mint("private/p.bin", DateTimeOffset.UtcNow.AddHours(1));

        using var response = await Server.Client.GetAsync("archives/private.zip" + link[link.IndexOf('?', StringComparison.Ordinal)..]);

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, response.StatusCode.ToString());
    }

    [Fact]
    public async Task OpenFolder_LinksIntoAProtectedFolder_LeftOutLikeTheirDownloads()
    {
        using var file = await Server.Client.GetAsync("files/linked/leak.bin");
        using var inFolder = await Server.Client.GetAsync("files/linked/leakdir/p.bin");

        var members = await MembersAsync("archives/linked.zip");

        Assert.True(file.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, file.StatusCode.ToString());
        Assert.True(inFolder.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, inFolder.StatusCode.ToString());
        Assert.Equal(["a.txt"], members);
    }

    // "/files/private/?exp=…" → "archives/private.zip?exp=…": the same signature opens the folder's archive.
    private static string ArchiveUrl(string link, string folder) => $"archives/{folder}.zip" + link[link.IndexOf('?', StringComparison.Ordinal)..];

    private async Task<List<string>> MembersAsync(string url)
    {
        using var response = await Server.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var archive = _downloads.Combine(Guid.NewGuid().ToString("N") + ".zip");
        await File.WriteAllBytesAsync(archive, await response.Content.ReadAsByteArrayAsync());
        await ZipTools.AssertAllAcceptAsync(archive);
        return [.. (await ZipTools.MembersAsync(archive)).Keys.Order(StringComparer.Ordinal)];
    }
}
