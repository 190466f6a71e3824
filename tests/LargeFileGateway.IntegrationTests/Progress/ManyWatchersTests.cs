using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Progress;

/// <summary>
/// Hundreds of watchers beside a burst of downloads (issue 12 point 6): each watcher ends up with every download,
/// from the events or from a catch-up snapshot that covers them, and a watcher that never reads holds nothing up.
/// </summary>
public sealed class ManyWatchersTests : IAsyncLifetime
{
    private const int Watchers = 200;
    private const int Downloads = 600;
    private readonly TempFolder _root = new("many-watchers");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("file.bin"), 20_000);
        _server = await GatewayServer.StartAsync(_root.Path,
            "--Gateway:Events:Access=Open",
            "--Gateway:Events:ProgressInterval=00:00:00.05",
            "--Gateway:Events:WatcherQueueCapacity=64");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Events_TwoHundredWatchersAndAStalledOne_EachEndsWithEveryDownloadCompleted()
    {
        var registry = _server.Services.GetRequiredService<TransferRegistry>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Watchers + 100 }) { BaseAddress = _server.BaseAddress };
        using var stalled = await SlowClient.StartAsync(_server.Port, "/events");
        var readers = await Task.WhenAll(Enumerable.Range(0, Watchers).Select(async _ =>
        {
            var reader = await SseReader.OpenAsync(client);
            await reader.NextEventAsync("snapshot");
            return reader;
        }));
        var tallies = readers.Select(reader => Task.Run(() => CompletedCountReachesAsync(reader, Downloads))).ToList();

        var lengths = new List<int>();
        for (var wave = 0; wave < Downloads / 100; wave++)
        {
            lengths.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
            {
                using var response = await client.GetAsync("files/file.bin");
                return (await response.Content.ReadAsByteArrayAsync()).Length;
            })));
        }

        var reached = await Task.WhenAll(tallies);
        var skipped = registry.SkippedEvents;
        foreach (var reader in readers)
        {
            reader.Dispose();
        }

        Assert.All(lengths, length => Assert.Equal(20_000, length));
        Assert.Equal(Downloads, lengths.Count);
        Assert.All(reached, Assert.True);
        Assert.Contains("text/event-stream", stalled.HeaderBlock, StringComparison.Ordinal);
        Assert.True(skipped > 0, "no watcher was ever too far behind: the burst did not test the catch-up snapshot");
        Assert.Equal(0, registry.ActiveCount);
    }

    /// <summary>
    /// What a dashboard does: a snapshot resets the count to its totals, each completed event adds one. True once the
    /// count reaches <paramref name="downloads"/>; false when the stream goes quiet first.
    /// </summary>
    private static async Task<bool> CompletedCountReachesAsync(SseReader reader, int downloads)
    {
        long completed = 0;
        while (completed < downloads)
        {
            SseBlock block;
            try
            {
                block = await reader.NextAsync(TimeSpan.FromSeconds(60));
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            if (block.Type == "snapshot")
            {
                completed = JsonDocument.Parse(block.Data).RootElement.GetProperty("totals").GetProperty("completed").GetInt64();
            }
            else if (block.Type == "completed")
            {
                completed++;
            }
        }

        return true;
    }
}
