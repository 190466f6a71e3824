using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Progress;

public sealed class TransferEventsTests : IAsyncLifetime
{
    private const long BigFileLength = 64L * 1024 * 1024;
    private readonly TempFolder _root = new("events");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteSparse(_root.Combine("big.bin"), BigFileLength, [(0, 4096)]);
        TestFiles.WriteRandom(_root.Combine("small.txt"), 10_000);
        _server = await GatewayServer.StartAsync(_root.Path,
            "--Gateway:Events:Access=Open",
            "--Gateway:Events:ProgressInterval=00:00:00.05");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Events_OnConnect_SendsStreamHeadersRetryAndSnapshot()
    {
        using var events = await SseReader.OpenAsync(_server.Client);
        var retry = await events.NextAsync();
        var snapshot = await events.NextAsync();

        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", events.Response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal("no", Assert.Single(events.Response.Headers.GetValues("X-Accel-Buffering")));
        Assert.DoesNotContain(events.Response.Content.Headers.ContentEncoding, encoding => encoding is "gzip" or "br" or "deflate");
        Assert.Equal(3000, retry.RetryMs);
        Assert.Equal("snapshot", snapshot.Type);
        Assert.NotNull(snapshot.Id);
        Assert.Equal(0, JsonDocument.Parse(snapshot.Data).RootElement.GetProperty("active").GetArrayLength());
    }

    [Fact]
    public async Task Events_SlowDownloadToTheEnd_SendsStartedProgressCompleted()
    {
        using var events = await SseReader.OpenAsync(_server.Client);
        await events.NextEventAsync("snapshot");

        using var client = await SlowClient.StartAsync(_server.Port, "/files/big.bin");
        var started = await events.NextEventAsync("started");
        var id = Json(started).GetProperty("id").GetInt64();
        await client.ReadAsync(256 * 1024);
        var progress = await events.NextEventAsync("progress", block => Json(block).GetProperty("id").GetInt64() == id);
        var rest = await client.ReadToEndAsync();
        var completed = await events.NextEventAsync("completed", block => Json(block).GetProperty("id").GetInt64() == id);

        Assert.Equal(BigFileLength, client.BodyBytesRead);
        Assert.True(rest > 0);
        Assert.Equal("big.bin", Json(started).GetProperty("key").GetString());
        Assert.Equal("127.0.0.1", Json(started).GetProperty("client").GetString());
        Assert.Equal("whole", Json(started).GetProperty("range").GetString());
        Assert.Equal(BigFileLength, Json(started).GetProperty("totalBytes").GetInt64());
        Assert.InRange(Json(progress).GetProperty("bytesSent").GetInt64(), 1, BigFileLength);
        Assert.Equal(BigFileLength, Json(completed).GetProperty("bytesSent").GetInt64());
        Assert.Equal("completed", Json(completed).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Events_ClientResetsMidDownload_SendsAborted()
    {
        using var events = await SseReader.OpenAsync(_server.Client);
        await events.NextEventAsync("snapshot");

        using var client = await SlowClient.StartAsync(_server.Port, "/files/big.bin", "Range: bytes=1000-\r\n");
        var started = await events.NextEventAsync("started");
        var id = Json(started).GetProperty("id").GetInt64();
        await client.ReadAsync(128 * 1024);
        await events.NextEventAsync("progress", block => Json(block).GetProperty("id").GetInt64() == id);
        client.Abort();
        var aborted = await events.NextEventAsync("aborted", block => Json(block).GetProperty("id").GetInt64() == id);

        Assert.Equal($"bytes 1000-{BigFileLength - 1}/{BigFileLength}", Json(started).GetProperty("range").GetString());
        Assert.InRange(Json(aborted).GetProperty("bytesSent").GetInt64(), 128 * 1024, BigFileLength - 1001);
        Assert.Equal("aborted", Json(aborted).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Events_ReconnectWithLastEventId_ResumesWithTheMissedEventsInsteadOfSnapshot()
    {
        string lastEventId;
        using (var first = await SseReader.OpenAsync(_server.Client))
        {
            lastEventId = (await first.NextEventAsync("snapshot")).Id!;
        }

        using (var download = await _server.Client.GetAsync("files/small.txt"))
        {
            Assert.Equal(10_000, (await download.Content.ReadAsByteArrayAsync()).Length);
        }

        using var resumed = await SseReader.OpenAsync(_server.Client, lastEventId: lastEventId);
        var retry = await resumed.NextAsync();
        var started = await resumed.NextAsync();
        var untilCompleted = new List<SseBlock>();
        while (untilCompleted.LastOrDefault()?.Type != "completed")
        {
            untilCompleted.Add(await resumed.NextAsync());
        }

        Assert.Equal(3000, retry.RetryMs);
        Assert.Equal("started", started.Type);
        Assert.Equal("small.txt", Json(started).GetProperty("key").GetString());
        Assert.All(untilCompleted, block => Assert.Contains(block.Type, new[] { "progress", "completed", null }));
        Assert.NotEqual(lastEventId, started.Id);
    }

    [Fact]
    public async Task Events_ReconnectWithForeignLastEventId_GetsSnapshot()
    {
        using var events = await SseReader.OpenAsync(_server.Client, lastEventId: "0-12345");
        await events.NextAsync();

        var first = await events.NextAsync();

        Assert.Equal("snapshot", first.Type);
    }

    [Fact]
    public async Task Events_ThousandWatchersConnectAndDisconnect_LeaveNoSubscriptionBehind()
    {
        const int Watchers = 1000;
        var registry = _server.Services.GetRequiredService<TransferRegistry>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Watchers + 10 }) { BaseAddress = _server.BaseAddress };

        var readers = await Task.WhenAll(Enumerable.Range(0, Watchers).Select(async _ =>
        {
            var reader = await SseReader.OpenAsync(client);
            await reader.NextEventAsync("snapshot");
            return reader;
        }));
        var connected = registry.WatcherCount;
        using (var download = await _server.Client.GetAsync("files/small.txt"))
        {
            await download.Content.ReadAsByteArrayAsync();
        }

        var sawDownload = await Task.WhenAll(readers.Select(reader => reader.NextEventAsync("completed")));
        foreach (var reader in readers)
        {
            reader.Dispose();
        }

        var released = await Eventually.TrueAsync(() => registry.WatcherCount == 0, TimeSpan.FromSeconds(20));

        Assert.Equal(Watchers, connected);
        Assert.All(sawDownload, block => Assert.Equal("small.txt", Json(block).GetProperty("key").GetString()));
        Assert.True(released, $"{registry.WatcherCount} watchers still subscribed");
        Assert.Equal(0, registry.ActiveCount);
    }

    [Fact]
    public async Task Events_WatcherThatNeverReads_DoesNotHoldUpDownloads()
    {
        // A 3,000-character key makes each event about 3 KB, so the socket buffers fill after a few hundred downloads.
        var longKey = string.Join('/', Enumerable.Range(0, 12).Select(i => new string((char)('a' + i), 250))) + "/small.txt";
        Directory.CreateDirectory(Path.GetDirectoryName(_root.Combine(longKey))!);
        TestFiles.WriteRandom(_root.Combine(longKey), 10_000);
        var registry = _server.Services.GetRequiredService<TransferRegistry>();
        using var stalled = await SlowClient.StartAsync(_server.Port, "/events");

        var downloads = 0;
        while (registry.SkippedEvents == 0 && downloads < 5000)
        {
            using var download = await _server.Client.GetAsync("files/" + longKey);
            Assert.Equal(10_000, (await download.Content.ReadAsByteArrayAsync()).Length);
            downloads++;
        }

        // The stalled watcher's socket and queue are full, it is further behind than it may catch up event by event, and downloads go on.
        Assert.True(registry.SkippedEvents > 0, $"no event was skipped after {downloads} downloads");
        Assert.Equal(1, registry.WatcherCount);
        Assert.Contains("text/event-stream", stalled.HeaderBlock, StringComparison.Ordinal);
    }

    private static JsonElement Json(SseBlock block) => JsonDocument.Parse(block.Data).RootElement;
}
