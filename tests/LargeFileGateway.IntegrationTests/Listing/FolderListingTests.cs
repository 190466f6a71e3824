using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>
/// Issue 15, folder listing on the local provider: the HTML page and the JSON document of a folder, the links of both,
/// what never appears (dotfiles, dot-folders, links out of the root), names that would be markup, the redirect of a
/// folder without its '/', and <c>GET /</c>.
/// </summary>
public sealed class FolderListingTests() : GatewayTest("listing"), IAsyncLifetime
{
    // A '/' cannot be part of a file name, so the closing tag of "<script>alert(1)</script>" is left out.
    private const string ScriptName = "<script>alert(1)<script>.txt";
    private const string ImageName = "<img src=x onerror=alert(1)>.txt";
    private const string QuoteName = "q\"uote's & <b>amp.txt";
    private readonly TempFolder _outside = new("listing-outside");

    protected override string[] GatewayArguments => ["--Gateway:Listing:Enabled=true", "--Gateway:Archives:Enabled=true"];

    protected override Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("readme.txt"), 1234, seed: 1);
        TestFiles.WriteRandom(Root.Combine("big.bin"), 300_000, seed: 2);
        TestFiles.WriteRandom(Root.Combine("docs", "a.txt"), 10, seed: 3);
        TestFiles.WriteRandom(Root.Combine("docs", "deep", "b.txt"), 20, seed: 4);
        TestFiles.WriteRandom(Root.Combine("docs", "季度 报告 #1.txt"), 30, seed: 5);
        TestFiles.WriteRandom(Root.Combine("docs", ScriptName), 40, seed: 6);
        TestFiles.WriteRandom(Root.Combine("docs", QuoteName), 50, seed: 7);
        TestFiles.WriteRandom(Root.Combine("docs", ImageName), 70, seed: 13);
        TestFiles.WriteRandom(Root.Combine("docs", "100% sure?.txt"), 60, seed: 8);
        TestFiles.WriteRandom(Root.Combine(".hidden"), 5, seed: 9);
        TestFiles.WriteRandom(Root.Combine(".git", "config"), 5, seed: 10);
        TestFiles.WriteRandom(Root.Combine("docs", ".env"), 5, seed: 11);
        TestFiles.WriteRandom(_outside.Combine("secret.txt"), 5, seed: 12);
        File.CreateSymbolicLink(Root.Combine("link-in.txt"), "readme.txt");
        File.CreateSymbolicLink(Root.Combine("link-out.txt"), _outside.Combine("secret.txt"));
        File.CreateSymbolicLink(Root.Combine("dir-out"), _outside.Path);
        File.CreateSymbolicLink(Root.Combine("to-dotfile"), ".hidden");
        File.CreateSymbolicLink(Root.Combine("broken"), "nothing-here");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task HtmlRoot_ListsServableEntries_AndEveryLinkServesTheSameBytesAsTheDisk()
    {
        using var response = await Server.Client.GetAsync("files/");
        var html = await response.Content.ReadAsStringAsync();
        var rows = ListingPage.Rows(html);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["docs/", "big.bin", "link-in.txt", "readme.txt"], rows.Select(row => row.Name));
        foreach (var (href, name) in rows.Where(row => !row.Name.EndsWith('/')))
        {
            using var download = await Server.Client.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            var expected = await File.ReadAllBytesAsync(Root.Combine(name));
            Assert.Equal(SHA256.HashData(expected), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
        }
    }

    [Fact]
    public async Task HtmlRoot_NeverShowsDotfilesDotFoldersOrLinksLeadingOutOfTheRoot()
    {
        var html = await Server.Client.GetStringAsync("files/");

        foreach (var hidden in new[] { ".hidden", ".git", "link-out.txt", "dir-out", "to-dotfile", "broken", "secret.txt" })
        {
            Assert.DoesNotContain(hidden, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HtmlSubFolder_EscapesNamesInTextAndAttributes_AndItsLinksWork()
    {
        using var response = await Server.Client.GetAsync("files/docs/");
        var html = await response.Content.ReadAsStringAsync();
        var rows = ListingPage.Rows(html);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("q\"uote", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;script&gt;.txt", html, StringComparison.Ordinal);
        Assert.Contains("q&quot;uote&#x27;s &amp; &lt;b&gt;amp.txt", html, StringComparison.Ordinal);
        Assert.DoesNotContain(".env", html, StringComparison.Ordinal);
        Assert.Equal(["deep/", "100% sure?.txt", ImageName, ScriptName, "a.txt", QuoteName, "季度 报告 #1.txt"], rows.Select(row => row.Name));
        foreach (var (href, name) in rows)
        {
            using var follow = await Server.Client.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
            if (!name.EndsWith('/'))
            {
                Assert.Equal(await File.ReadAllBytesAsync(Root.Combine("docs", name)), await follow.Content.ReadAsByteArrayAsync());
            }
            else
            {
                Assert.Contains("b.txt", await follow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Html_IsSelfContainedAndReadableOnAPhone_WithBreadcrumbsSizesAndTheZipLink()
    {
        using var response = await Server.Client.GetAsync("files/docs/deep/");
        var html = await response.Content.ReadAsStringAsync();
        var root = await Server.Client.GetStringAsync("files/");

        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("Accept", response.Headers.Vary);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("@media", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/files/\">files</a> / <a href=\"/files/docs/\">docs</a> / <a href=\"/files/docs/deep/\">deep</a> /", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/archives/docs/deep.zip\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/archives/", root, StringComparison.Ordinal);
        Assert.Contains("title=\"300000 bytes\" data-bytes=\"300000\">293 KiB</td>", root, StringComparison.Ordinal);
        Assert.Matches("<time datetime=\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\">", root);
    }

    [Fact]
    public async Task Html_SortedBySizeDescending_OnTheServer_FoldersFirst()
    {
        var html = await Server.Client.GetStringAsync("files/?sort=size&order=desc");
        var ascending = await Server.Client.GetStringAsync("files/?sort=size&order=asc");

        Assert.Equal(["docs/", "big.bin", "link-in.txt", "readme.txt"], ListingPage.Rows(html).Select(row => row.Name));
        Assert.Equal(["docs/", "link-in.txt", "readme.txt", "big.bin"], ListingPage.Rows(ascending).Select(row => row.Name));
        Assert.Contains("aria-sort=\"descending\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_ParsesWithTheFieldsOfEachEntry_AndFileETagsAreTheDownloadsOwn()
    {
        using var document = await ListingPage.GetJsonAsync(Server.Client, "files/docs/");
        var entries = document.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var a = entries.Single(entry => entry.GetProperty("name").GetString() == "a.txt");
        var deep = entries.Single(entry => entry.GetProperty("name").GetString() == "deep");
        using var download = await Server.Client.GetAsync(a.GetProperty("url").GetString());

        Assert.Equal("docs/", document.RootElement.GetProperty("folder").GetString());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("next").ValueKind);
        Assert.Equal(7, entries.Count);
        Assert.Equal("docs/a.txt", a.GetProperty("key").GetString());
        Assert.Equal(10, a.GetProperty("size").GetInt64());
        Assert.False(a.GetProperty("isFolder").GetBoolean());
        Assert.Equal(download.Headers.ETag!.ToString(), a.GetProperty("etag").GetString());
        Assert.Equal(download.Content.Headers.LastModified, a.GetProperty("modified").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("digest").ValueKind);
        Assert.True(deep.GetProperty("isFolder").GetBoolean());
        Assert.Equal("docs/deep/", deep.GetProperty("key").GetString());
        Assert.Equal("/files/docs/deep/", deep.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, deep.GetProperty("etag").ValueKind);
    }

    [Fact]
    public async Task FolderWithoutSlash_RedirectsKeepingTheQuery_ThenLists()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };

        using var redirect = await client.GetAsync("files/docs/deep?x=1");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/docs"));
        using var listing = await client.GetAsync(redirect.Headers.Location);
        using var missing = await client.GetAsync("files/nothing");

        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/files/docs/deep/?x=1", redirect.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.MovedPermanently, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Contains("b.txt", await listing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task BadRequests_GetProblemDetails_NeverA500()
    {
        using var cursor = await Server.Client.GetAsync("files/?cursor=%%%");
        using var limit = await Server.Client.GetAsync("files/?limit=0");
        using var sort = await Server.Client.GetAsync("files/?sort=owner");
        using var missing = await Server.Client.GetAsync("files/nothing/");
        using var hidden = await Server.Client.GetAsync("files/.git/");
        using var fileAsFolder = await Server.Client.GetAsync("files/readme.txt/");
        using var post = await Server.Client.PostAsync("files/docs/", new StringContent(""));

        Assert.Equal(HttpStatusCode.BadRequest, cursor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, sort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, fileAsFolder.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/problem+json", cursor.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Head_HasTheHeadersOfGet_AndIfNoneMatchGets304()
    {
        using var get = await Server.Client.GetAsync("files/docs/");
        using var head = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/docs/"));
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "files/docs/");
        conditional.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        using var notModified = await Server.Client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.True(get.Headers.ETag!.IsWeak);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task SlashOfTheSite_ShowsTheRootListing()
    {
        using var response = await Server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["docs/", "big.bin", "link-in.txt", "readme.txt"], ListingPage.Rows(html).Select(row => row.Name));
    }

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        _outside.Dispose();
    }
}
