using System.Net;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>Issue 15: cursor paging of a JSON listing walks a 5,000-entry folder exactly once per entry, under the page cap.</summary>
public sealed class ListingPagingTests() : GatewayTest("listing-paging")
{
    private const int FileCount = 4_990;
    private const int FolderCount = 10;
    private const int PageSize = 700;

    protected override string[] GatewayArguments => ["--Gateway:Listing:Enabled=true", $"--Gateway:Listing:PageSize={PageSize}"];

    protected override Task ArrangeAsync()
    {
        var many = Directory.CreateDirectory(Root.Combine("many")).FullName;
        for (var i = 0; i < FileCount; i++)
        {
            // Names whose ordinal order is not their creation order, and a few hidden ones among them.
            File.WriteAllBytes(Path.Combine(many, $"{(i * 7919) % 10_000:D4}-{i}.dat"), i % 3 == 0 ? [] : [(byte)i]);
        }

        for (var i = 0; i < FolderCount; i++)
        {
            Directory.CreateDirectory(Path.Combine(many, $"sub{i}"));
        }

        File.WriteAllBytes(Path.Combine(many, ".hidden-1"), []);
        File.WriteAllBytes(Path.Combine(many, ".hidden-2"), []);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task JsonPaging_SmallLimit_WalksEveryEntryExactlyOnce_InOrdinalOrder()
    {
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var page = await ListingPage.GetJsonAsync(Server.Client, "files/many/?limit=97" + (cursor is null ? string.Empty : "&cursor=" + cursor));
            var names = ListingPage.Names(page);
            Assert.InRange(names.Count, 1, 97);
            seen.AddRange(names);
            cursor = page.RootElement.GetProperty("next").GetString();
            Assert.True(++pages <= 100, "The walk did not end.");
        }
        while (cursor is not null);

        var expected = Directory.EnumerateFileSystemEntries(Root.Combine("many")).Select(Path.GetFileName).Where(name => !name!.StartsWith('.')).ToList();
        Assert.Equal(FileCount + FolderCount, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen);
        Assert.Equal((FileCount + FolderCount + 96) / 97, pages);
    }

    [Fact]
    public async Task JsonPaging_LimitAboveTheCap_GetsPagesOfThePageSize()
    {
        using var first = await ListingPage.GetJsonAsync(Server.Client, "files/many/?limit=100000");
        using var defaulted = await ListingPage.GetJsonAsync(Server.Client, "files/many/");

        Assert.Equal(PageSize, ListingPage.Names(first).Count);
        Assert.Equal(PageSize, ListingPage.Names(defaulted).Count);
        Assert.NotEqual(JsonValueKind.Null, first.RootElement.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task HtmlPage_ShowsAtMostThePageSize_AndLinksTheNextPage()
    {
        var html = await Server.Client.GetStringAsync("files/many/");
        var next = System.Text.RegularExpressions.Regex.Match(html, "rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value;
        var second = await Server.Client.GetStringAsync(WebUtility.HtmlDecode(next));

        Assert.Equal(PageSize, ListingPage.Rows(html).Count);
        Assert.Equal(PageSize, ListingPage.Rows(second).Count);
        Assert.Empty(ListingPage.Rows(html).Select(row => row.Name).Intersect(ListingPage.Rows(second).Select(row => row.Name)));
    }
}
