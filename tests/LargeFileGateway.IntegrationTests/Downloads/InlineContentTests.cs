using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// <c>?inline=1</c> shows a file in the browser; active content (HTML, SVG, unknown types) comes sandboxed so that a
/// file placed in the storage root cannot run script in the gateway's origin, next to the dashboard and /events.
/// </summary>
public sealed class InlineContentTests() : GatewayTest("inline")
{
    protected override Task ArrangeAsync()
    {
        File.WriteAllText(Root.Combine("page.html"), "<script>fetch('/events')</script>");
        File.WriteAllText(Root.Combine("drawing.svg"), "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>");
        File.WriteAllText(Root.Combine("notes.txt"), "plain");
        TestFiles.WriteRandom(Root.Combine("clip.mp4"), 1000);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("page.html")]
    [InlineData("drawing.svg")]
    public async Task GetInline_ActiveContent_IsSandboxed(string name)
    {
        using var response = await Server.Client.GetAsync($"files/{name}?inline=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(["sandbox"], response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("clip.mp4")]
    public async Task GetInline_PassiveContent_IsShownAsItIs(string name)
    {
        using var response = await Server.Client.GetAsync($"files/{name}?inline=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Get_ActiveContentAsAttachment_IsADownload()
    {
        using var response = await Server.Client.GetAsync("files/page.html");

        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }
}
