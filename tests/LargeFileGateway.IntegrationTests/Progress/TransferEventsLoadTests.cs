using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Progress;

public sealed class TransferEventsLoadTests : IAsyncLifetime
{
    private const int Downloads = 200;
    private const int Watchers = 50;
    private readonly TempFolder _root = new("events-load");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("file.bin"), 200_000);
        _server = await GatewayServer.StartAsync(_root.Path,
            "--Gateway:Events:Access=Open",
            "--Gateway:Events:ProgressInterval=00:00:00.05",
            "--Gateway:Events:WatcherQueueCapacity=4096");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Events_ManyConcurrentDownloads_EveryWatcherSeesEveryTransferEnd()
    {
        var registry = _server.Services.GetRequiredService<TransferRegistry>();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Watchers + Downloads }) { BaseAddress = _server.BaseAddress };
        var readers = await Task.WhenAll(Enumerable.Range(0, Watchers).Select(async _ =>
        {
            var reader = await SseReader.OpenAsync(client);
            await reader.NextEventAsync("snapshot");
            return reader;
        }));

        var tallies = readers.Select(reader => Task.Run(async () =>
        {
            var ended = new HashSet<long>();
            while (ended.Count < Downloads)
            {
                var block = await reader.NextEventAsync("completed");
                ended.Add(JsonDocument.Parse(block.Data).RootElement.GetProperty("id").GetInt64());
            }

            return ended.Count;
        })).ToList();
        var lengths = await Task.WhenAll(Enumerable.Range(0, Downloads).Select(async _ =>
        {
            using var response = await client.GetAsync("files/file.bin");
            return (await response.Content.ReadAsByteArrayAsync()).Length;
        }));
        var seen = await Task.WhenAll(tallies);
        foreach (var reader in readers)
        {
            reader.Dispose();
        }

        Assert.All(lengths, length => Assert.Equal(200_000, length));
        Assert.All(seen, count => Assert.Equal(Downloads, count));
        Assert.True(await Eventually.TrueAsync(() => registry.WatcherCount == 0, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, registry.ActiveCount);
    }
}
