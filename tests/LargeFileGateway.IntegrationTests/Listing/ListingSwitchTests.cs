using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Listing;

/// <summary>Issue 15: with the listing off (the default) folders are 404 as before and <c>GET /</c> is a plain page naming the service.</summary>
public sealed class ListingOffTests() : GatewayTest("listing-off")
{
    protected override Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("docs", "a.txt"), 10, seed: 1);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("files/")]
    [InlineData("files/docs/")]
    [InlineData("files/docs")]
    public async Task Folder_ListingOff_Is404ProblemDetails(string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task SlashOfTheSite_ListingOff_IsAPlainPageNamingTheUrlSpace_AndJsonClientsGetA404()
    {
        using var page = await Server.Client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        using var json = new HttpRequestMessage(HttpMethod.Get, "/");
        json.Headers.Accept.ParseAdd("application/json");
        using var jsonAnswer = await Server.Client.SendAsync(json);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("LargeFileGateway", html, StringComparison.Ordinal);
        Assert.Contains("/files/{key}", html, StringComparison.Ordinal);
        Assert.Contains("/healthz", html, StringComparison.Ordinal);
        Assert.DoesNotContain("a.txt", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/archives/", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, jsonAnswer.StatusCode);
        Assert.Equal("application/problem+json", jsonAnswer.Content.Headers.ContentType?.MediaType);
    }
}

/// <summary>Issue 15: the first-run sample (no root configured) turns the listing on and has a sub-folder to show.</summary>
public sealed class SampleListingTests
{
    [Fact]
    public async Task FirstRunSample_ListsItsRootAndSubFolder_WithZipLinks()
    {
        using var workingDirectory = new TempFolder("listing-sample");
        using var gateway = await GatewayProcess.StartInFolderAsync(GatewayBuild.Jit, workingDirectory.Path);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}/") };

        var root = await client.GetStringAsync("/");
        var docs = await client.GetStringAsync("files/docs/");

        Assert.Contains(">sample.bin</a>", root, StringComparison.Ordinal);
        Assert.Contains(">docs/</a>", root, StringComparison.Ordinal);
        Assert.Contains(">getting-started.txt</a>", docs, StringComparison.Ordinal);
        Assert.Contains(">notes.md</a>", docs, StringComparison.Ordinal);
        Assert.Contains("href=\"/archives/docs.zip\"", docs, StringComparison.Ordinal);
    }
}
