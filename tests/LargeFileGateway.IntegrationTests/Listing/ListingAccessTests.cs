using System.Net;
using LargeFileGateway.IntegrationTests.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>
/// Issue 15, listings under the access policy (<c>private/</c> needs a signed link): a prefix-scoped link opens its
/// folder's listing and, through the links of the page, its files; an open folder never shows a protected sub-folder
/// or a link into one.
/// </summary>
public sealed class ListingAccessTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("listing-access");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("private", "a", "x.txt"), 100, seed: 1);
        TestFiles.WriteRandom(_root.Combine("private", "a", "sub", "y.txt"), 200, seed: 2);
        TestFiles.WriteRandom(_root.Combine("private", "b", "z.txt"), 300, seed: 3);
        TestFiles.WriteRandom(_root.Combine("open.txt"), 10, seed: 4);
        TestFiles.WriteRandom(_root.Combine("public", "p.txt"), 20, seed: 5);
        File.CreateSymbolicLink(_root.Combine("public", "alias"), "../private/a");
        File.CreateSymbolicLink(_root.Combine("public", "x-link.txt"), "../private/a/x.txt");
        _server = await SignedLinkTestServer.StartAsync(_root.Path, _time, countStorage: null, "--Gateway:Listing:Enabled=true");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task PrefixScopedLink_OpensTheFolderListing_AndEveryLinkOfThePage()
    {
        var link = SignedLinkTestServer.Signer.Mint("private/a", _time.GetUtcNow().AddHours(1), prefixScope: true);

        using var unsigned = await _server.Client.GetAsync("files/private/a/");
        using var signed = await _server.Client.GetAsync(link);
        var rows = ListingPage.Rows(await signed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(["sub/", "x.txt"], rows.Select(row => row.Name));
        using var file = await _server.Client.GetAsync(rows[1].Href);
        using var sub = await _server.Client.GetAsync(rows[0].Href);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(_root.Combine("private", "a", "x.txt")), await file.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, sub.StatusCode);
        Assert.Contains(">y.txt</a>", await sub.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefixScopedLink_DoesNotOpenASiblingFolder()
    {
        var link = SignedLinkTestServer.Signer.Mint("private/a", _time.GetUtcNow().AddHours(1), prefixScope: true);
        var query = link[link.IndexOf('?', StringComparison.Ordinal)..];

        using var sibling = await _server.Client.GetAsync("files/private/b/" + query);
        using var parent = await _server.Client.GetAsync("files/private/" + query);

        Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, parent.StatusCode);
    }

    [Fact]
    public async Task OpenFolder_HidesItsProtectedSubFolder_AndLinksIntoIt()
    {
        var root = ListingPage.Rows(await _server.Client.GetStringAsync("files/")).Select(row => row.Name);
        var rootJson = ListingPage.Names(await ListingPage.GetJsonAsync(_server.Client, "files/"));
        var publicRows = ListingPage.Rows(await _server.Client.GetStringAsync("files/public/")).Select(row => row.Name);
        using var throughAlias = await _server.Client.GetAsync("files/public/alias/");

        Assert.Equal(["public/", "open.txt"], root);
        Assert.Equal(["open.txt", "public"], rootJson);
        Assert.Equal(["p.txt"], publicRows);
        Assert.Equal(HttpStatusCode.Forbidden, throughAlias.StatusCode);
    }

    [Fact]
    public async Task RootPrefixLink_ShowsTheProtectedFolderToo()
    {
        var link = SignedLinkTestServer.Signer.Mint(string.Empty, _time.GetUtcNow().AddHours(1), prefixScope: true);

        var rows = ListingPage.Rows(await _server.Client.GetStringAsync(link)).Select(row => row.Name);

        Assert.Equal(["private/", "public/", "open.txt"], rows);
    }
}
