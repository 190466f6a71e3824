using System.Diagnostics.Metrics;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Progress;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// The caps on watchers of <c>/events</c> (Gateway:Limits:WatchersPerClient and Watchers, issue 12 point 6) on real
/// Kestrel: raw sockets that hold a stream open, curl from a second loopback address.
/// </summary>
public sealed class WatcherLimitsTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFolder _root = new("watcher-caps");

    public WatcherLimitsTests() => TestFiles.WriteRandom(_root.Combine("small.bin"), 1000, seed: 3);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task WatchersPerClient_ThirdWatcherFromOneClient_Gets429WhileAnotherAddressIsAcceptedAndALeaverFreesASlot()
    {
        using var refusals = new RefusalCounter("WatchersPerClient");
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Events:Access=Open", "--Gateway:Limits:WatchersPerClient=2");
        var registry = server.Services.GetRequiredService<TransferRegistry>();
        using var first = await SlowClient.StartAsync(server.Port, "/events");
        using var second = await SlowClient.StartAsync(server.Port, "/events");

        var third = await RawHttp.SendAsync(server.Port, "/events");
        var subscribedWhileRefused = registry.WatcherCount;
        var otherAddress = await WatchFromAsync(server, "127.0.0.2");
        first.Abort();
        var afterOneLeft = await EventuallyAcceptedAsync(server);

        Assert.StartsWith("HTTP/1.1 200", first.HeaderBlock, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", second.HeaderBlock, StringComparison.Ordinal);
        Assert.Equal(429, third.StatusCode);
        AssertRefusal(third);
        Assert.True(refusals.Count >= 1, "the refusal was not counted in gateway.refusals");
        Assert.Equal("200", otherAddress);
        Assert.Equal(2, subscribedWhileRefused);
        Assert.True(afterOneLeft, "no watcher was accepted after one of the two left");
    }

    [Fact]
    public async Task Watchers_NPlusFirstWatcher_Gets503AndAfterOneLeavesTheNextIsAccepted()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Events:Access=Open", "--Gateway:Limits:Watchers=2");
        var registry = server.Services.GetRequiredService<TransferRegistry>();
        using var first = await SlowClient.StartAsync(server.Port, "/events");
        using var second = await SlowClient.StartAsync(server.Port, "/events");

        var third = await RawHttp.SendAsync(server.Port, "/events");
        var subscribedWhileRefused = registry.WatcherCount;
        var otherAddress = await WatchFromAsync(server, "127.0.0.2");
        first.Abort();
        var afterOneLeft = await EventuallyAcceptedAsync(server);

        Assert.StartsWith("HTTP/1.1 200", first.HeaderBlock, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", second.HeaderBlock, StringComparison.Ordinal);
        Assert.Equal(503, third.StatusCode);
        AssertRefusal(third);
        Assert.Equal("503", otherAddress);
        Assert.Equal(2, subscribedWhileRefused);
        Assert.True(afterOneLeft, "no watcher was accepted after one of the two left");
    }

    [Fact]
    public async Task Watchers_CapsOff_ManyWatchersFromOneClientAreAccepted()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Events:Access=Open");
        var watchers = new List<SlowClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                watchers.Add(await SlowClient.StartAsync(server.Port, "/events"));
            }

            Assert.All(watchers, watcher => Assert.StartsWith("HTTP/1.1 200", watcher.HeaderBlock, StringComparison.Ordinal));
        }
        finally
        {
            watchers.ForEach(watcher => watcher.Dispose());
        }
    }

    private static void AssertRefusal(RawHttp.Response response)
    {
        Assert.True(long.TryParse(response.Header("Retry-After"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 1, response.HeaderBlock);
        Assert.StartsWith("application/problem+json", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains($"\"status\":{response.StatusCode}", System.Text.Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        Assert.DoesNotContain("text/event-stream", response.HeaderBlock, StringComparison.Ordinal);
    }

    /// <summary>The status curl gets for /events from <paramref name="address"/>; an accepted stream is held for 2 s, then stopped.</summary>
    private static async Task<string> WatchFromAsync(GatewayServer server, string address)
    {
        var (_, output) = await ExternalTool.RunAsync("curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", address, "--max-time", "2", new Uri(server.BaseAddress, "events").AbsoluteUri], Bound);
        return output.Trim();
    }

    /// <summary>A watcher that left frees its slot once the gateway sees its connection gone: try again a bounded number of times.</summary>
    private static async Task<bool> EventuallyAcceptedAsync(GatewayServer server)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var next = await SlowClient.StartAsync(server.Port, "/events");
            if (next.HeaderBlock.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Counts <c>gateway.refusals</c> with one reason tag (other tests of this process never use the watcher reasons).</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public RefusalCounter(string reason)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "LargeFileGateway" && instrument.Name == "gateway.refusals")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "gateway.refusal.reason" && Equals(tag.Value, reason))
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
