using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace LargeFileGateway.IntegrationTests.Clients;

/// <summary>A real Chromium downloads a file with a non-ASCII name: it must save it under that very name.</summary>
public sealed class BrowserDownloadTests() : GatewayTest("browser"), IDisposable
{
    private const string ChineseName = "季度报告 2024.zip";
    private readonly TempFolder _saved = new("browser-saved");
    private string _expected = null!;

    public void Dispose() => _saved.Dispose();

    protected override async Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine(ChineseName), 3 << 20, seed: 11);
        _expected = await TestFiles.Sha256Async(Root.Combine(ChineseName));
    }

    [Fact]
    public async Task Chromium_DownloadsChineseName_SavesUnderTheRealName()
    {
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var url = new Uri(Server.BaseAddress, "files/" + Uri.EscapeDataString(ChineseName)).AbsoluteUri;
        await page.SetContentAsync($"<a id=\"get\" href=\"{url}\">download</a>");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#get"), new PageRunAndWaitForDownloadOptions { Timeout = 60_000 });
        var target = _saved.Combine(download.SuggestedFilename);
        await download.SaveAsAsync(target);

        Assert.Null(await download.FailureAsync());
        Assert.Equal(ChineseName, download.SuggestedFilename);
        Assert.Equal(_expected, await TestFiles.Sha256Async(target));
    }
}
