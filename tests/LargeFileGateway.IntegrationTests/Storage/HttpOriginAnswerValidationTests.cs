using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// An origin that does not answer what was asked (a 200 for a Range, a Content-Range for other bytes) must never
/// have its answer passed on as the range the client asked for.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginAnswerValidationTests(StorageServersFixture servers) : IAsyncLifetime
{
    private readonly string _folder = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly byte[] _bytes = new byte[100_000];
    private GatewayServer _ignoresRange = null!;
    private GatewayServer _wrongRange = null!;
    private GatewayServer _noETag = null!;

    public async Task InitializeAsync()
    {
        new Random(17).NextBytes(_bytes);
        servers.Origin.Put($"{OriginServer.IgnoreRangeFolder}/{_folder}/file.bin", _bytes);
        servers.Origin.Put($"{OriginServer.WrongRangeFolder}/{_folder}/file.bin", _bytes);
        servers.Origin.Put($"{OriginServer.NoETagFolder}/{_folder}/file.bin", _bytes);
        using var root = new TempFolder("unused");
        _ignoresRange = await GatewayServer.StartAsync(root.Path, OriginServer.GatewayArgs(servers.Origin.Port, $"{OriginServer.IgnoreRangeFolder}/{_folder}"));
        _wrongRange = await GatewayServer.StartAsync(root.Path, OriginServer.GatewayArgs(servers.Origin.Port, $"{OriginServer.WrongRangeFolder}/{_folder}"));
        _noETag = await GatewayServer.StartAsync(root.Path, OriginServer.GatewayArgs(servers.Origin.Port, $"{OriginServer.NoETagFolder}/{_folder}"));
    }

    public async Task DisposeAsync()
    {
        await _ignoresRange.DisposeAsync();
        await _wrongRange.DisposeAsync();
        await _noETag.DisposeAsync();
    }

    [Fact]
    public async Task GetRange_OriginWithoutETag_Returns206UnderAStrongValidatorOfItsOwn()
    {
        using var response = await GetRangeAsync(_noETag, 1000, 1999);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(_bytes[1000..2000], await response.Content.ReadAsByteArrayAsync());
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task GetRange_OriginAnswers200_Returns503NotMislabeledBytes()
    {
        using var head = await _ignoresRange.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/file.bin"));
        using var response = await GetRangeAsync(_ignoresRange, 1000, 1999);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Get_WholeObjectFromOriginThatIgnoresRange_ReturnsExactBytes()
    {
        using var response = await _ignoresRange.Client.GetAsync("files/file.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetRange_OriginAnswersOtherContentRange_Returns503NotMislabeledBytes()
    {
        using var whole = await _wrongRange.Client.GetAsync("files/file.bin");
        using var response = await GetRangeAsync(_wrongRange, 1000, 1999);

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(_bytes, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> GetRangeAsync(GatewayServer gateway, long first, long last)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/file.bin");
        request.Headers.Range = new RangeHeaderValue(first, last);
        return await gateway.Client.SendAsync(request);
    }
}
