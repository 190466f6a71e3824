using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Progress;

public sealed class EventsAccessTests : IDisposable
{
    private const string Token = "s3cret-token-for-tests-0123456789";
    private readonly TempFolder _root = new("access");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(null, "events", null, HttpStatusCode.NotFound)]
    // Issue 15: "/" with the dashboard off is a plain page naming the service (Listing/ServicePage), not a 404.
    [InlineData(null, "", null, HttpStatusCode.OK)]
    [InlineData("Off", "events", null, HttpStatusCode.NotFound)]
    [InlineData("Off", "dashboard", null, HttpStatusCode.NotFound)]
    [InlineData("Open", "events", null, HttpStatusCode.OK)]
    [InlineData("Open", "", null, HttpStatusCode.OK)]
    [InlineData("Open", "dashboard", null, HttpStatusCode.OK)]
    [InlineData("BearerToken", "events", null, HttpStatusCode.Unauthorized)]
    [InlineData("BearerToken", "events", "wrong-token-wrong-token-wrong", HttpStatusCode.Unauthorized)]
    [InlineData("BearerToken", "", null, HttpStatusCode.Unauthorized)]
    [InlineData("BearerToken", "events", Token, HttpStatusCode.OK)]
    [InlineData("BearerToken", "events?access_token=" + Token, null, HttpStatusCode.OK)]
    [InlineData("BearerToken", "dashboard?access_token=" + Token, null, HttpStatusCode.OK)]
    public async Task Get_AccessMode_AnswersAsConfigured(string? mode, string target, string? bearer, HttpStatusCode expected)
    {
        string[] args = mode is null ? [] : [$"--Gateway:Events:Access={mode}", $"--Gateway:Events:Token={Token}"];
        await using var server = await GatewayServer.StartAsync(_root.Path, args);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        if (expected == HttpStatusCode.OK)
        {
            var isStream = target.StartsWith("events", StringComparison.Ordinal);
            Assert.Equal(isStream ? "text/event-stream" : "text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("Off", 0)]
    [InlineData("Open", 1)]
    public async Task Download_IsTrackedOnlyWhenSomeoneMayWatch(string mode, int activeWhileInFlight)
    {
        // 64 MiB left unread stays in flight: more than the socket buffers and Kestrel's response buffer hold.
        TestFiles.WriteSparse(_root.Combine("big.bin"), 64L << 20, []);
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Events:Access={mode}");
        var registry = server.Services.GetRequiredService<TransferRegistry>();

        using var response = await server.Client.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        var settled = await Eventually.TrueAsync(() => registry.ActiveCount == activeWhileInFlight, TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(settled, $"{registry.ActiveCount} transfers tracked, expected {activeWhileInFlight}");
        Assert.Equal(mode != "Off", registry.IsTracking);
    }

    [Fact]
    public async Task Get_DevelopmentWithoutAccessKey_IsOpen()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--environment", "Development");

        var page = await server.Client.GetStringAsync("dashboard");

        Assert.Contains("new EventSource(", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BearerTokenWithoutToken_RefusesToStartNamingTheKey()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(_root.Path, "--Gateway:Events:Access=BearerToken"));

        Assert.Contains("Gateway:Events:Token", failure.ToString(), StringComparison.Ordinal);
    }
}
