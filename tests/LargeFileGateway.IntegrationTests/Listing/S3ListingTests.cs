using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>
/// Issue 15, folder listing on S3 (ListObjectsV2 with prefix and delimiter, paged by continuation token) against
/// s3rver and a versioned bucket on Ceph RGW; HttpOrigin has no folders.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3ListingTests(StorageServersFixture servers)
{
    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.S3OnRgw)]
    public async Task Folder_ListsFilesAndCommonPrefixes_WithoutHiddenKeysOrTheMarker_AndLinksServeTheObjects(BackendKind kind)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        var a = RandomNumberGenerator.GetBytes(1000);
        var b = RandomNumberGenerator.GetBytes(2000);
        await backend.PutAsync("docs/", []);
        await backend.PutAsync("docs/a.txt", a);
        await backend.PutAsync("docs/b <i>.bin", b);
        await backend.PutAsync("docs/deep/c.txt", [1, 2, 3]);
        await backend.PutAsync("docs/.hidden", [1]);
        await backend.PutAsync("docs/.git/config", [1]);
        await backend.PutAsync("top.txt", [4]);
        await backend.PutOutsideAsync("outside.txt", [5]);
        await using var gateway = await backend.StartGatewayAsync(null, "--Gateway:Listing:Enabled=true");

        using var json = await ListingPage.GetJsonAsync(gateway.Client, "files/docs/");
        var entries = json.RootElement.GetProperty("entries").EnumerateArray().ToList();
        var html = await gateway.Client.GetStringAsync("files/docs/");
        var root = ListingPage.Names(await ListingPage.GetJsonAsync(gateway.Client, "files/"));

        Assert.Equal(["a.txt", "b <i>.bin", "deep"], entries.Select(entry => entry.GetProperty("name").GetString()));
        Assert.Equal(["docs", "top.txt"], root);
        Assert.True(entries[2].GetProperty("isFolder").GetBoolean());
        Assert.Equal("docs/deep/", entries[2].GetProperty("key").GetString());
        Assert.Equal(2000, entries[1].GetProperty("size").GetInt64());
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Equal(["deep/", "a.txt", "b <i>.bin"], ListingPage.Rows(html).Select(row => row.Name));
        foreach (var (entry, bytes) in new[] { (entries[0], a), (entries[1], b) })
        {
            using var download = await gateway.Client.GetAsync(entry.GetProperty("url").GetString());
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

            // The listing's ETag is the download's; on a versioned bucket (RGW here) ListObjectsV2 names no version,
            // so the entry leaves it out rather than claim another validator.
            var etag = entry.GetProperty("etag");
            if (backend.KeepsVersions)
            {
                Assert.Equal(JsonValueKind.Null, etag.ValueKind);
            }
            else
            {
                Assert.Equal(download.Headers.ETag!.ToString(), etag.GetString());
            }
        }
    }

    [Theory]
    [InlineData(BackendKind.S3)]
    [InlineData(BackendKind.S3OnRgw)]
    public async Task Paging_ByCursor_WalksEveryKeyAndPrefixOnce_AndMissingFoldersAre404(BackendKind kind)
    {
        await using var backend = await StorageBackend.CreateAsync(kind, servers);
        var expected = Enumerable.Range(0, 60).Select(i => $"f{i:D3}.txt").Concat(Enumerable.Range(0, 5).Select(i => $"sub{i}")).ToList();
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => backend.PutAsync($"many/f{i:D3}.txt", [(byte)i])));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => backend.PutAsync($"many/sub{i}/x", [(byte)i])));
        await using var gateway = await backend.StartGatewayAsync(null, "--Gateway:Listing:Enabled=true");

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var page = await ListingPage.GetJsonAsync(gateway.Client, "files/many/?limit=7" + (cursor is null ? string.Empty : "&cursor=" + cursor));
            var names = ListingPage.Names(page);
            Assert.InRange(names.Count, 0, 7);
            seen.AddRange(names);
            cursor = page.RootElement.GetProperty("next").GetString();
            Assert.True(++pages <= 30, "The walk did not end.");
        }
        while (cursor is not null);
        using var missing = await gateway.Client.GetAsync("files/nothing/");
        using var forged = await gateway.Client.GetAsync("files/many/?cursor=Zm9yZ2Vk");

        Assert.Equal(expected, seen);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, forged.StatusCode);
    }

    [Fact]
    public async Task HttpOrigin_HasNoFolders_404()
    {
        await using var backend = await StorageBackend.CreateAsync(BackendKind.HttpOrigin, servers);
        await backend.PutAsync("docs/a.txt", [1, 2, 3]);
        await using var gateway = await backend.StartGatewayAsync(null, "--Gateway:Listing:Enabled=true");

        using var folder = await gateway.Client.GetAsync("files/docs/");
        using var root = await gateway.Client.GetAsync("files/");
        using var file = await gateway.Client.GetAsync("files/docs/a.txt");

        Assert.Equal(HttpStatusCode.NotFound, folder.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
    }
}
