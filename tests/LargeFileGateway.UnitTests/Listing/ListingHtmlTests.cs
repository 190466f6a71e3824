using System.Text;
using LargeFileGateway.Listing;
using LargeFileGateway.Storage;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Listing;

public sealed class ListingHtmlTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(300_000, "293 KiB")]
    [InlineData(10L * 1024 * 1024 - 1, "10 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024 + 512L * 1024 * 1024, "5.5 GiB")]
    [InlineData(long.MaxValue, "8.0 EiB")]
    public void HumanSize_BinaryUnits(long bytes, string expected)
    {
        Assert.Equal(expected, ListingHtml.HumanSize(bytes));
    }

    [Theory]
    [InlineData("a/b c/d#e?.txt", "a/b%20c/d%23e%3F.txt")]
    [InlineData("docs/", "docs/")]
    [InlineData("100%.txt", "100%25.txt")]
    [InlineData("季度.txt", "%E5%AD%A3%E5%BA%A6.txt")]
    [InlineData("\"'<>&", "%22%27%3C%3E%26")]
    public void EscapePath_EscapesEachSegment(string key, string expected)
    {
        Assert.Equal(expected, ListingLinks.EscapePath(key));
    }

    [Fact]
    public void Render_HostileNames_AreEscapedInTextAndAttributes_AndTheSignatureIsCarried()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?exp=1&kid=k1&sig=abc&sort=size&cursor=x");
        var name = "\"><script>alert('x')<script>&amp;";
        var entry = new FolderEntry("d/" + name, name, IsFolder: false, 5, DateTimeOffset.UnixEpoch, new EntityTagHeaderValue("\"1\""));

        var html = Encoding.UTF8.GetString(ListingHtml.Render("d/", [new ListingRow(entry, [1, 2])], ListingSort.Default, null, new ListingLinks(context.Request), archiveLink: true));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(name, html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;script&gt;&amp;amp;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/files/d/%22%3E%3Cscript%3Ealert%28%27x%27%29%3Cscript%3E%26amp%3B?exp=1&amp;kid=k1&amp;sig=abc\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/archives/d.zip?exp=1&amp;kid=k1&amp;sig=abc\"", html, StringComparison.Ordinal);
        Assert.Contains("<code>0102</code>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("*/*", false)]
    [InlineData("application/json", true)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false)]
    [InlineData("application/json;q=0.5, text/html", false)]
    [InlineData("text/html;q=0.5, application/json", true)]
    [InlineData("garbage;;;", false)]
    public void WantsJson_OnlyWhenPreferredToHtml(string? accept, bool expected)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        Assert.Equal(expected, ListingHandler.WantsJson(context.Request));
    }
}
