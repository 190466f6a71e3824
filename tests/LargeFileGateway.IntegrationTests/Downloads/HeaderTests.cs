using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

public sealed class HeaderTests() : GatewayTest("headers")
{
    protected override string[] GatewayArguments =>
    [
        "--Gateway:Download:ContentTypes:.log=text/plain",
        "--Gateway:Download:CacheControl=private, max-age=60",
    ];

    protected override async Task ArrangeAsync()
    {
        foreach (var name in new[] { "a.csv", "b.mp4", "c.mkv", "d.iso", "e.7z", "f.unknownext", "g", "h.zip", "i.log" })
        {
            await File.WriteAllTextAsync(Root.Combine(name), "x");
        }

        Directory.CreateDirectory(Root.Combine("folder"));
    }

    [Theory]
    [InlineData("a.csv", "text/csv")]
    [InlineData("b.mp4", "video/mp4")]
    [InlineData("c.mkv", "video/x-matroska")]
    [InlineData("d.iso", "application/x-iso9660-image")]
    [InlineData("e.7z", "application/x-7z-compressed")]
    [InlineData("f.unknownext", "application/octet-stream")]
    [InlineData("g", "application/octet-stream")]
    [InlineData("h.zip", "application/zip")]
    [InlineData("i.log", "text/plain")]
    public async Task Get_ContentTypeFollowsExtension(string name, string expected)
    {
        using var response = await Server.Client.GetAsync("files/" + name);

        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Get_ConfiguredCacheControl_IsSent()
    {
        using var response = await Server.Client.GetAsync("files/a.csv");

        Assert.Equal("private, max-age=60", response.Headers.NonValidated["Cache-Control"].ToString());
    }

    [Theory]
    [InlineData("?inline=1", "inline")]
    [InlineData("?inline=true", "inline")]
    [InlineData("", "attachment")]
    [InlineData("?inline=0", "attachment")]
    public async Task Get_InlineQuery_ChoosesDisposition(string query, string expected)
    {
        using var response = await Server.Client.GetAsync("files/b.mp4" + query);

        Assert.Equal(expected, response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("b.mp4", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Theory]
    [InlineData("files/missing.bin")]
    [InlineData("files/folder")]
    [InlineData("files/folder/")]
    public async Task Get_MissingFileOrFolder_Returns404ProblemDetails(string path)
    {
        using var response = await Server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":404", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
