using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// A real Chromium on a page of another origin (a second Kestrel on another port) fetches a range from the gateway
/// and reads <c>Content-Range</c>: what a web video player or a download script on the application's site does.
/// </summary>
public sealed class CrossOriginBrowserTests : IAsyncLifetime
{
    private const string Page = "<!doctype html><title>app</title><p>app";
    private readonly TempFolder _root = new("cors-browser");
    private WebApplication _app = null!;
    private string _appOrigin = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("clip.bin"), 64 << 10, seed: 5);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/", () => Results.Content(Page, "text/html"));
        await _app.StartAsync();
        _appOrigin = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Fetch_FromAnAllowedOrigin_ReadsTheRangeAndItsContentRange()
    {
        await using var gateway = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Cors:Origins:0={_appOrigin}");
        var expected = File.ReadAllBytes(_root.Combine("clip.bin"))[100..200];

        // If-Range is not a safelisted request header: the browser sends a preflight first, as a player resuming does.
        var result = await FetchFromAppPageAsync(gateway, "{ headers: { Range: 'bytes=100-199', 'If-Range': etag } }");

        Assert.Equal(206, result.GetProperty("status").GetInt32());
        Assert.Equal("bytes 100-199/65536", result.GetProperty("contentRange").GetString());
        Assert.Contains("attachment", result.GetProperty("disposition").GetString(), StringComparison.Ordinal);
        Assert.Equal(expected, result.GetProperty("bytes").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray());
    }

    [Fact]
    public async Task Fetch_FromAnOriginNotAllowed_IsBlockedByTheBrowser()
    {
        await using var gateway = await GatewayServer.StartAsync(_root.Path, "--Gateway:Cors:Origins:0=http://other.example.test");

        var result = await FetchFromAppPageAsync(gateway, "{ headers: { Range: 'bytes=100-199' } }");

        Assert.True(result.TryGetProperty("error", out _), result.ToString());
    }

    private async Task<JsonElement> FetchFromAppPageAsync(GatewayServer gateway, string init)
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        await page.GotoAsync(_appOrigin + "/");
        var url = new Uri(gateway.BaseAddress, "files/clip.bin").AbsoluteUri;
        var script = $$"""
            async () => {
              try {
                const head = await fetch('{{url}}', { method: 'HEAD' });
                const etag = head.headers.get('ETag');
                const r = await fetch('{{url}}', {{init}});
                const bytes = Array.from(new Uint8Array(await r.arrayBuffer()));
                return JSON.stringify({ status: r.status, contentRange: r.headers.get('Content-Range'), disposition: r.headers.get('Content-Disposition'), bytes });
              } catch (e) {
                return JSON.stringify({ error: String(e) });
              }
            }
            """;
        var json = await page.EvaluateAsync<string>(script);
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
