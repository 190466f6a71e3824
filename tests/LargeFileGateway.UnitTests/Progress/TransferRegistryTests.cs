using System.Text.Json;
using LargeFileGateway.Configuration;
using LargeFileGateway.Progress;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.UnitTests.Progress;

public sealed class TransferRegistryTests : IDisposable
{
    // Only a guard against a hang: every wait below ends on a signal (an event, or fake time advanced by the test).
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider _time = new();
    private readonly TransferRegistry _registry;

    public TransferRegistryTests()
    {
        // No coalescing interval: every event wakes the watchers at once, without advancing the fake clock (the
        // coalescing itself is WakeSignalTests' subject).
        _registry = new(new EventsOptions { RingCapacity = 8, WatcherQueueCapacity = 4, ProgressInterval = TimeSpan.Zero }, _time, startSampler: false);
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Start_WithWatcher_PublishesStartedWithTheTransfer()
    {
        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);

        _registry.Start("movies/a.mp4", "192.0.2.7", "bytes 0-99/1000", 100);
        var started = await NextAsync(events);

        Assert.Equal("started", started.Item.EventType);
        using var json = JsonDocument.Parse(started.Item.Data);
        Assert.Equal("movies/a.mp4", json.RootElement.GetProperty("key").GetString());
        Assert.Equal("192.0.2.7", json.RootElement.GetProperty("client").GetString());
        Assert.Equal("bytes 0-99/1000", json.RootElement.GetProperty("range").GetString());
        Assert.Equal(100, json.RootElement.GetProperty("totalBytes").GetInt64());
        Assert.Equal("active", json.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task SampleProgress_ManyChunksBetweenSamples_PublishesOneProgressEvent()
    {
        var transfer = _registry.Start("a", "c", "whole", 1_000_000);
        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);

        for (var i = 0; i < 1000; i++)
        {
            transfer.AddBytesSent(1000);
        }

        _registry.SampleProgress();
        _registry.End(transfer, TransferOutcome.Completed);
        var progress = await NextAsync(events);
        var completed = await NextAsync(events);

        Assert.Equal("progress", progress.Item.EventType);
        Assert.Equal(1_000_000, JsonDocument.Parse(progress.Item.Data).RootElement.GetProperty("bytesSent").GetInt64());
        Assert.Equal("completed", completed.Item.EventType);
    }

    [Fact]
    public async Task SampleProgress_CounterDidNotMove_PublishesNothing()
    {
        var transfer = _registry.Start("a", "c", "whole", 10);
        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);

        _registry.SampleProgress();
        _registry.SampleProgress();
        _registry.End(transfer, TransferOutcome.Aborted);
        var next = await NextAsync(events);

        Assert.Equal("aborted", next.Item.EventType);
    }

    [Fact]
    public async Task SampleProgress_TransferStalls_RateDecaysToZeroThenEventsStop()
    {
        using var registry = new TransferRegistry(new EventsOptions(), _time, startSampler: false);
        var transfer = registry.Start("a", "c", "whole", 1L << 40);
        using var watcher = registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);
        transfer.AddBytesSent(1L << 30);
        _time.Advance(SampleInterval);
        registry.SampleProgress();
        var moving = await NextAsync(events);

        var rates = new List<long>();
        for (var i = 0; i < 64; i++)
        {
            _time.Advance(SampleInterval);
            registry.SampleProgress();
        }

        registry.End(transfer, TransferOutcome.Completed);
        for (var next = await NextAsync(events); next.Item.EventType == "progress"; next = await NextAsync(events))
        {
            rates.Add(JsonDocument.Parse(next.Item.Data).RootElement.GetProperty("bytesPerSecond").GetInt64());
        }

        Assert.True(JsonDocument.Parse(moving.Item.Data).RootElement.GetProperty("bytesPerSecond").GetInt64() > 0);
        Assert.InRange(rates.Count, 2, 63);
        Assert.Equal(rates.OrderDescending(), rates);
        Assert.Equal(0, rates[^1]);
    }

    [Fact]
    public async Task Subscribe_NoLastEventId_StartsWithRetryThenSnapshotOfActiveTransfers()
    {
        _registry.Start("one", "c", "whole", 10);
        var ended = _registry.Start("two", "c", "whole", 10);
        _registry.End(ended, TransferOutcome.Failed);

        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        var retry = await NextAsync(events);
        var snapshot = await NextAsync(events);

        Assert.Equal(TimeSpan.FromSeconds(3), retry.Item.ReconnectionInterval);
        Assert.Equal("snapshot", snapshot.Item.EventType);
        var root = JsonDocument.Parse(snapshot.Item.Data).RootElement;
        Assert.Equal("one", Assert.Single(root.GetProperty("active").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal("failed", Assert.Single(root.GetProperty("recent").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal(1, root.GetProperty("totals").GetProperty("failed").GetInt64());
        Assert.EndsWith("-3", snapshot.Item.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_LastEventIdStillInRing_ResumesWithExactlyTheMissedEvents()
    {
        string snapshotId;
        using (var first = _registry.Subscribe(lastEventId: null))
        {
            await using var events = first.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
            snapshotId = (await SkipRetryAndSnapshotAsync(events)).Item.EventId!;
        }

        var transfer = _registry.Start("missed", "c", "whole", 10);
        _registry.End(transfer, TransferOutcome.Completed);
        using var again = _registry.Subscribe(snapshotId);
        await using var resumed = again.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await NextAsync(resumed);
        var started = await NextAsync(resumed);
        var completed = await NextAsync(resumed);

        Assert.Equal("started", started.Item.EventType);
        Assert.Equal("completed", completed.Item.EventType);
        Assert.Equal(started.Sequence + 1, completed.Sequence);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-1)]
    public async Task Subscribe_LastEventIdOverwrittenOrUnknown_StartsWithSnapshot(int eventsAfterwards)
    {
        string lastEventId;
        using (var first = _registry.Subscribe(lastEventId: null))
        {
            await using var events = first.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
            lastEventId = (await SkipRetryAndSnapshotAsync(events)).Item.EventId!;
        }

        for (var i = 0; i < eventsAfterwards; i++)
        {
            _registry.Start("f" + i, "c", "whole", 10);
        }

        using var again = _registry.Subscribe(eventsAfterwards < 0 ? "some-other-gateway-5" : lastEventId);
        await using var resumed = again.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await NextAsync(resumed);
        var next = await NextAsync(resumed);

        Assert.Equal("snapshot", next.Item.EventType);
    }

    [Fact]
    public async Task ReadAll_WatcherFallsBehind_GetsOneSnapshotInsteadOfTheBacklog()
    {
        using var registry = new TransferRegistry(new EventsOptions { RingCapacity = 8, WatcherQueueCapacity = 4 }, _time, startSampler: false);
        using var watcher = registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);
        var waiting = events.MoveNextAsync().AsTask();

        for (var i = 0; i < 50; i++)
        {
            registry.Start("f" + i, "c", "whole", 10);
        }

        var beforeTheWake = waiting.IsCompleted;
        _time.Advance(SampleInterval);
        Assert.True(await waiting.WaitAsync(Hang));
        var next = events.Current;

        Assert.False(beforeTheWake);

        Assert.Equal("snapshot", next.Item.EventType);
        Assert.Equal(50, JsonDocument.Parse(next.Item.Data).RootElement.GetProperty("active").GetArrayLength());
        Assert.EndsWith("-50", next.Item.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAll_FloodGoesOn_OneCatchUpSnapshotPerEightIntervalsAndTheLastComesWithoutAnotherEvent()
    {
        using var registry = new TransferRegistry(new EventsOptions { RingCapacity = 8, WatcherQueueCapacity = 4 }, _time, startSampler: false);
        using var watcher = registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);
        var catchUpInterval = SampleInterval * TransferWatcher.IntervalsPerCatchUp;
        var first = events.MoveNextAsync().AsTask();
        Flood(registry, 20);
        _time.Advance(SampleInterval);
        Assert.True(await first.WaitAsync(Hang));
        var firstSnapshot = events.Current;

        var second = events.MoveNextAsync().AsTask();
        Flood(registry, 20);
        _time.Advance(SampleInterval);
        var atTheNextWake = second.IsCompleted;

        // The wake runs the watcher on the thread pool: the clock moves on only once it has seen it is not due yet and
        // its sleep until then is on the clock (counted only then: moved before it, the sleep would start too late).
        for (var spins = 0; watcher.DeferredCatchUps == 0 && spins < 30_000; spins++)
        {
            await Task.Delay(1);
        }

        var deferred = watcher.DeferredCatchUps;
        _time.Advance(catchUpInterval - SampleInterval - TimeSpan.FromMilliseconds(1));
        var justBeforeItIsDue = second.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await second.WaitAsync(Hang));
        var secondSnapshot = events.Current;

        Assert.Equal("snapshot", firstSnapshot.Item.EventType);
        Assert.False(atTheNextWake);
        Assert.Equal(1, deferred);
        Assert.False(justBeforeItIsDue);
        Assert.Equal("snapshot", secondSnapshot.Item.EventType);
        Assert.Equal(40, JsonDocument.Parse(secondSnapshot.Item.Data).RootElement.GetProperty("active").GetArrayLength());
        Assert.True(watcher.SkippedEvents > 0);
    }

    [Fact]
    public async Task ReadAll_CatchUpDueAfterTheHeartbeatInterval_YieldsHeartbeatMeanwhile()
    {
        var shortHeartbeat = SampleInterval * 2;
        using var registry = new TransferRegistry(new EventsOptions { RingCapacity = 8, WatcherQueueCapacity = 4 }, _time, startSampler: false);
        using var watcher = registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(shortHeartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);
        var first = events.MoveNextAsync().AsTask();
        Flood(registry, 20);
        _time.Advance(SampleInterval);
        Assert.True(await first.WaitAsync(Hang));

        var next = events.MoveNextAsync().AsTask();
        Flood(registry, 20);
        _time.Advance(SampleInterval);

        // As above: once the watcher sleeps on the clock until its catch-up (or the heartbeat, which is sooner).
        for (var spins = 0; watcher.DeferredCatchUps == 0 && spins < 30_000; spins++)
        {
            await Task.Delay(1);
        }

        _time.Advance(shortHeartbeat);

        Assert.True(await next.WaitAsync(Hang));
        Assert.Same(PublishedEvent.Heartbeat, events.Current);
    }

    [Fact]
    public async Task CatchUp_ManyWatchersBehindAtOneWake_ShareOneSnapshot()
    {
        using var registry = new TransferRegistry(new EventsOptions { RingCapacity = 8, WatcherQueueCapacity = 4 }, _time, startSampler: false);
        var watchers = Enumerable.Range(0, 3).Select(_ => registry.Subscribe(lastEventId: null)).ToList();
        var streams = watchers.Select(watcher => watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator()).ToList();
        foreach (var stream in streams)
        {
            await SkipRetryAndSnapshotAsync(stream);
        }

        var waiting = streams.Select(stream => stream.MoveNextAsync().AsTask()).ToList();
        Flood(registry, 20);
        _time.Advance(SampleInterval);
        foreach (var wait in waiting)
        {
            Assert.True(await wait.WaitAsync(Hang));
        }

        var snapshots = streams.Select(stream => stream.Current).ToList();
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }

        watchers.ForEach(watcher => watcher.Dispose());
        Assert.All(snapshots, snapshot => Assert.Equal("snapshot", snapshot.Item.EventType));
        Assert.All(snapshots, snapshot => Assert.Same(snapshots[0], snapshot));
    }

    [Fact]
    public async Task ReadAll_QuietForTheHeartbeatInterval_YieldsHeartbeat()
    {
        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);

        var next = events.MoveNextAsync().AsTask();
        _time.Advance(Heartbeat - TimeSpan.FromMilliseconds(1));
        var beforeTheInterval = next.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(beforeTheInterval);
        Assert.True(await next.WaitAsync(Hang));
        Assert.Same(PublishedEvent.Heartbeat, events.Current);
    }

    [Fact]
    public async Task ReadAll_EventBeforeTheHeartbeatInterval_RestartsTheQuietTime()
    {
        using var watcher = _registry.Subscribe(lastEventId: null);
        await using var events = watcher.ReadAllAsync(Heartbeat, _time, CancellationToken.None).GetAsyncEnumerator();
        await SkipRetryAndSnapshotAsync(events);

        _time.Advance(Heartbeat / 2);
        _registry.Start("a", "c", "whole", 10);
        var started = await NextAsync(events);
        var next = events.MoveNextAsync().AsTask();
        _time.Advance(Heartbeat / 2);
        var atTheOldDeadline = next.IsCompleted;
        _time.Advance(Heartbeat / 2);

        Assert.Equal("started", started.Item.EventType);
        Assert.False(atTheOldDeadline);
        Assert.True(await next.WaitAsync(Hang));
        Assert.Same(PublishedEvent.Heartbeat, events.Current);
    }

    [Fact]
    public void Dispose_Watchers_LeavesNoSubscription()
    {
        var watchers = Enumerable.Range(0, 100).Select(_ => _registry.Subscribe(lastEventId: null)).ToList();
        var during = _registry.WatcherCount;

        watchers.ForEach(watcher => watcher.Dispose());

        Assert.Equal(100, during);
        Assert.Equal(0, _registry.WatcherCount);
    }

    [Fact]
    public void End_Twice_CountsOnce()
    {
        var transfer = _registry.Start("a", "c", "whole", 10);

        _registry.End(transfer, TransferOutcome.Completed);
        _registry.End(transfer, TransferOutcome.Failed);

        var totals = JsonDocument.Parse(_registry.CreateSnapshot().Item.Data).RootElement.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("completed").GetInt64());
        Assert.Equal(0, totals.GetProperty("failed").GetInt64());
        Assert.Equal(0, _registry.ActiveCount);
    }

    private static void Flood(TransferRegistry registry, int downloads)
    {
        for (var i = 0; i < downloads; i++)
        {
            registry.Start("f" + i, "c", "whole", 10);
        }
    }

    private static async Task<PublishedEvent> SkipRetryAndSnapshotAsync(IAsyncEnumerator<PublishedEvent> events)
    {
        await NextAsync(events);
        return await NextAsync(events);
    }

    private static async Task<PublishedEvent> NextAsync(IAsyncEnumerator<PublishedEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Hang));
        return events.Current;
    }
}
