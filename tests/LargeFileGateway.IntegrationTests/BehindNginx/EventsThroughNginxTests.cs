using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>The real /events stream and the dashboard through the shipped nginx config (issue 6 with issue 5).</summary>
public sealed class EventsThroughNginxTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("nginx-events");
    private GatewaysBehindNginx _stack = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteSparse(_root.Combine("video.mkv"), 64L << 20, [(0, 1 << 20)]);
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: false, beforeStart: null, "--Gateway:Events:Access=Open");
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_stack.Nginx.Port}/") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _stack.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>
    /// Each event must pass nginx while the stream stays open and the download is held (the slow client reads only
    /// when told): an nginx that buffered the stream would hold these few hundred bytes until its buffer filled or
    /// the stream ended, and the waits (bounded) would run out. An order of signals, not a clock.
    /// </summary>
    [Fact]
    public async Task Events_ThroughNginx_ArriveWhileTheStreamStaysOpen()
    {
        using var events = await SseReader.OpenAsync(_client);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        Assert.All(events.Response.Content.Headers.ContentEncoding, encoding => Assert.Equal("identity", encoding));
        await events.NextEventAsync("snapshot");

        using var download = await SlowClient.StartAsync(_stack.Nginx.Port, "/files/video.mkv");
        var started = await events.NextEventAsync("started");
        await download.ReadAsync(2 << 20);
        var progress = await events.NextEventAsync("progress");
        await download.ReadToEndAsync();
        var completed = await events.NextEventAsync("completed");

        Assert.Contains("video.mkv", started.Data, StringComparison.Ordinal);
        Assert.Contains("bytesSent", progress.Data, StringComparison.Ordinal);
        Assert.Contains("video.mkv", completed.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_ThroughNginx_IsServed()
    {
        using var response = await _client.GetAsync("");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("EventSource", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
