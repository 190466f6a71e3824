using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Downloads;

public sealed class WholeFileTests() : GatewayTest("whole")
{
    [Fact]
    public async Task Get_ExistingFile_Returns200WithExactBytesAndHeaders()
    {
        var bytes = TestFiles.WriteRandom(Root.Combine("movie.mp4"), 300_000);

        using var response = await Server.Client.GetAsync("files/movie.mp4");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(body));
        Assert.Equal(300_000, response.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal("no", Assert.Single(response.Headers.GetValues("X-Accel-Buffering")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }
}
