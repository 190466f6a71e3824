using System.Globalization;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace LargeFileGateway.IntegrationTests.Progress;

/// <summary>The dashboard in a real headless Chromium, fed by a real gateway and a deliberately slow client.</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MovieLength = 64L * 1024 * 1024;
    private const float Timeout = 20_000;
    private readonly TempFolder _root = new("dashboard");
    private GatewayServer _server = null!;
    private Chromium _chromium = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root.Combine("movies"));
        TestFiles.WriteSparse(_root.Combine("movies", "big-buck-bunny.mp4"), MovieLength, [(0, 4096)]);
        TestFiles.WriteRandom(_root.Combine("docs", "release-notes.pdf"), 300_000);
        _server = await GatewayServer.StartAsync(_root.Path, ServerArgs(port: 0));
        _chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Dashboard_ThrottledDownload_ShowsRowGrowingThenItsOutcome()
    {
        using (var earlier = await _server.Client.GetAsync("files/docs/release-notes.pdf"))
        {
            await earlier.Content.ReadAsByteArrayAsync();
        }

        var page = await _chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 560 } });
        await page.GotoAsync(new Uri(_server.BaseAddress, "dashboard").ToString());
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#recent tr[data-transfer-id] .outcome")).ToHaveTextAsync("completed", new() { Timeout = Timeout });

        using var client = await SlowClient.StartAsync(_server.Port, "/files/movies/big-buck-bunny.mp4");
        await client.ReadAsync(1024 * 1024);
        var row = page.Locator("#active tr[data-transfer-id]");
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = Timeout });
        var firstPercent = await PercentAsync(row);

        // A client reading about 2.5 MB/s, so that the page has a rate and an ETA to show. The first samples also
        // count what the socket buffers took at once; the screenshot waits until the rate has settled below 20 MiB/s.
        using var pace = new CancellationTokenSource();
        var paced = Task.Run(async () =>
        {
            while (!pace.IsCancellationRequested && client.BodyBytesRead < MovieLength)
            {
                await client.ReadAsync(256 * 1024);
                await Task.Delay(100, CancellationToken.None);
            }
        });
        await page.WaitForFunctionAsync(
            "before => parseFloat(document.querySelector('#active td.percent')?.textContent ?? '0') > before"
            + " && /^[0-9.]+ (KiB|MiB)\\/s$/.test(document.querySelector('#active td.rate')?.textContent ?? '')"
            + " && !(document.querySelector('#active td.rate').textContent.includes('MiB')"
            + " && parseFloat(document.querySelector('#active td.rate').textContent) >= 20)",
            firstPercent, new() { Timeout = Timeout });
        var laterPercent = await PercentAsync(row);
        var rowText = await row.InnerTextAsync();
        var capText = await row.Locator("td.cap").InnerTextAsync();
        var progressShot = TestArtifacts.PathFor("dashboard-progress.png");
        await page.ScreenshotAsync(new() { Path = progressShot, FullPage = true });
        output.WriteLine($"Screenshot of a download in progress: {progressShot}");
        await pace.CancelAsync();
        await paced;

        await client.ReadToEndAsync();
        var finished = page.Locator("#recent tr[data-transfer-id]", new() { HasText = "big-buck-bunny.mp4" });
        await Assertions.Expect(finished.Locator(".outcome")).ToHaveTextAsync("completed", new() { Timeout = Timeout });
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = Timeout });
        var finishedShot = TestArtifacts.PathFor("dashboard-finished.png");
        await page.ScreenshotAsync(new() { Path = finishedShot, FullPage = true });
        output.WriteLine($"Screenshot after the download ended: {finishedShot}");

        Assert.Equal(MovieLength, client.BodyBytesRead);
        Assert.True(laterPercent > firstPercent, $"{laterPercent} should be above {firstPercent}");
        Assert.Contains("movies/big-buck-bunny.mp4", rowText, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", rowText, StringComparison.Ordinal);
        Assert.Contains("whole", rowText, StringComparison.Ordinal);
        Assert.Equal("2", await page.Locator("#total-completed").InnerTextAsync());
        Assert.Equal("none", capText);
    }

    /// <summary>Issue 12, point 7: a download held to its rate shows that cap, which limit it is, and a throttled marker.</summary>
    [Fact]
    public async Task Dashboard_DownloadHeldToItsRate_ShowsItsCapAndTheThrottledMarker()
    {
        await using var limited = await GatewayServer.StartAsync(_root.Path, [.. ServerArgs(port: 0), "--Gateway:Limits:RatePerDownload=1048576"]);
        var page = await _chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 560 } });
        await page.GotoAsync(new Uri(limited.BaseAddress, "dashboard").ToString());
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Timeout });

        // A client that takes everything at once: only the gateway's 1 MiB/s holds it back.
        using var client = await SlowClient.StartAsync(limited.Port, "/files/movies/big-buck-bunny.mp4");
        using var reading = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!reading.IsCancellationRequested && client.BodyBytesRead < MovieLength && await client.ReadAsync(64 * 1024) > 0)
            {
            }
        });
        var cap = page.Locator("#active tr[data-transfer-id] td.cap");
        await Assertions.Expect(cap).ToContainTextAsync("1.0 MiB/s · download", new() { Timeout = Timeout });
        await Assertions.Expect(cap.Locator(".throttled")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var capText = await cap.InnerTextAsync();
        var shot = TestArtifacts.PathFor("dashboard-throttled.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"Screenshot of a throttled download: {shot}");
        await reading.CancelAsync();
        client.Abort();
        await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.StartsWith("1.0 MiB/s · download", capText, StringComparison.Ordinal);
        Assert.Contains("throttled", capText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_GatewayRestarts_ShowsDisconnectedThenReconnects()
    {
        var page = await _chromium.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.BaseAddress, "dashboard").ToString());
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Timeout });
        var port = _server.Port;

        await _server.DisposeAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveClassAsync("down", new() { Timeout = Timeout });
        var whileDown = await page.Locator("#connection").InnerTextAsync();
        _server = await GatewayServer.StartAsync(_root.Path, ServerArgs(port));
        using (var download = await _server.Client.GetAsync("files/docs/release-notes.pdf"))
        {
            await download.Content.ReadAsByteArrayAsync();
        }

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#recent tr[data-transfer-id] .outcome")).ToHaveTextAsync("completed", new() { Timeout = Timeout });

        Assert.StartsWith("disconnected", whileDown, StringComparison.Ordinal);
    }

    private static string[] ServerArgs(int port) =>
    [
        "--urls", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"),
        "--Gateway:Events:Access=Open",
        "--Gateway:Events:ProgressInterval=00:00:00.1",
        "--Gateway:Events:ReconnectDelay=00:00:00.3",
    ];

    private static async Task<double> PercentAsync(ILocator row)
        => double.Parse((await row.Locator("td.percent").InnerTextAsync()).TrimEnd('%'), CultureInfo.InvariantCulture);
}
