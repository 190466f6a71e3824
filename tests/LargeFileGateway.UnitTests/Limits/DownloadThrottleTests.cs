using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.RateLimiting;
using LargeFileGateway.Configuration;
using LargeFileGateway.Limits;
using LargeFileGateway.Observability;
using LargeFileGateway.Progress;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.UnitTests.Limits;

/// <summary>
/// Issue 12, point 7: what a throttle tells the live transfer (its cap once, a flag per real wait) and the metrics
/// (the bytes that waited, by the limit that held them). The buckets are real; no assert is about how long a wait took.
/// </summary>
public sealed class DownloadThrottleTests : IDisposable
{
    private const long Rate = 100_000;
    private const int Bucket = 10_000;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly TransferRegistry _registry;

    public DownloadThrottleTests() => _registry = new(new EventsOptions(), _time, startSampler: false);

    public void Dispose()
    {
        _registry.Dispose();
        _services.Dispose();
    }

    [Theory]
    [InlineData(0, 0, false, 0, null)]
    [InlineData(2_000_000, 0, false, 2_000_000, "download")]
    [InlineData(500_000, 0, true, 500_000, "link")]
    [InlineData(0, 4_000_000, false, 4_000_000, "client")]
    [InlineData(2_000_000, 4_000_000, false, 2_000_000, "download")]
    [InlineData(8_000_000, 4_000_000, true, 4_000_000, "client")]
    [InlineData(4_000_000, 4_000_000, false, 4_000_000, "download")]
    public void Constructor_RatesThatApply_ShowTheLowerAsTheTransfersCap(long perDownload, long perClient, bool fromLink, long cap, string? limitedBy)
    {
        using var clients = perClient > 0 ? PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetNoLimiter(key)) : null;
        var transfer = _registry.Start("a.bin", "192.0.2.1", "whole", 1 << 20);

        using var throttle = new DownloadThrottle(perDownload, 0, clients, perClient, "ip:192.0.2.1", fromLink ? ThrottleReason.LinkRate : ThrottleReason.RatePerDownload, transfer: transfer);

        Assert.Equal(cap, transfer.RateLimit);
        Assert.Equal(limitedBy, transfer.LimitedBy);
        Assert.False(transfer.Throttled);
    }

    [Fact]
    public async Task WaitAsync_BytesInTheBucket_NotThrottledAtTheNextSample()
    {
        var transfer = _registry.Start("a.bin", "192.0.2.1", "whole", 1 << 20);
        using var throttle = new DownloadThrottle(Rate, 0, null, 0, string.Empty, transfer: transfer);

        // A new bucket is full: its first bucketful is granted at once.
        var wait = throttle.WaitAsync(Bucket, CancellationToken.None);
        Assert.True(wait.IsCompleted);
        await wait;
        Sample(transfer);

        Assert.False(transfer.Throttled);
    }

    [Fact]
    public async Task WaitAsync_BucketEmpty_ThrottledForTheIntervalItWaitedInOnly()
    {
        var transfer = _registry.Start("a.bin", "192.0.2.1", "whole", 1 << 20);
        using var throttle = new DownloadThrottle(Rate, 0, null, 0, string.Empty, transfer: transfer);
        // A download's bucket holds two chunks: the third waits.
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);

        await throttle.WaitAsync(Bucket, CancellationToken.None);
        Sample(transfer);
        var duringTheWait = transfer.Throttled;
        Sample(transfer);

        Assert.True(duringTheWait);
        Assert.False(transfer.Throttled);
    }

    [Fact]
    public async Task WaitAsync_BurstThenEmptyBucket_CountsOnlyTheBytesThatWaitedByReason()
    {
        using var recorded = new ThrottledBytes(_services);
        using var throttle = new DownloadThrottle(Rate, Bucket, null, 0, string.Empty, ThrottleReason.LinkRate, Metrics());

        // The burst and the bucket's first fill (two chunks) go through at once; only the fourth chunk waits.
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);

        Assert.Equal(Bucket, recorded.Bytes("LinkRate"));
        Assert.Equal(0, recorded.Bytes("RatePerDownload"));
        Assert.Equal(1, recorded.Waits("LinkRate"));
    }

    [Fact]
    public async Task Dispose_BytesGrantedSoonAfterTheLastWait_CountsThemUnderItsReasonWithoutAWait()
    {
        using var recorded = new ThrottledBytes(_services);
        // The throttle times the gap since its last wait on the test's clock: a pause of this process between the last
        // wait and the end (CI once took over 180 ms here) cannot turn "soon after" into "long after".
        using (var throttle = new DownloadThrottle(Rate, 0, null, 0, string.Empty, ThrottleReason.LinkRate, Metrics(), clock: _time))
        {
            await throttle.WaitAsync(Bucket, CancellationToken.None);
            await throttle.WaitAsync(Bucket, CancellationToken.None);
            await throttle.WaitAsync(Bucket, CancellationToken.None);

            // 20 ms of refill (2,000 bytes, refilled by the real time) is there at once: the last piece goes out without
            // a wait, paced by the refill that the wait before it ended with, as the tail of a throttled download is.
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            _time.Advance(TimeSpan.FromMilliseconds(20));
            var tail = throttle.WaitAsync(Bucket / 20, CancellationToken.None);
            Assert.True(tail.IsCompleted);
            await tail;
            Assert.Equal(Bucket, recorded.Bytes("LinkRate"));
        }

        Assert.Equal(Bucket + Bucket / 20, recorded.Bytes("LinkRate"));
        Assert.Equal(1, recorded.Waits("LinkRate"));
    }

    [Fact]
    public async Task Dispose_BytesSentLongAfterTheLastWait_AreNotCounted()
    {
        using var recorded = new ThrottledBytes(_services);
        using (var throttle = new DownloadThrottle(Rate, 0, null, 0, string.Empty, metrics: Metrics(), clock: _time))
        {
            await throttle.WaitAsync(Bucket, CancellationToken.None);
            await throttle.WaitAsync(Bucket, CancellationToken.None);
            await throttle.WaitAsync(Bucket, CancellationToken.None);

            // Longer than the bucket takes to fill from empty (ByteRateBuckets.FillTime, 0.2 s): the client or storage
            // was slower than the rate, so nothing held the piece that follows. The real delay lets the bucket refill
            // enough for that piece; the test's clock says how long the gap was.
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            _time.Advance(ByteRateBuckets.FillTime(Rate) + TimeSpan.FromMilliseconds(100));
            await throttle.WaitAsync(Bucket / 20, CancellationToken.None);
        }

        Assert.Equal(Bucket, recorded.Bytes("RatePerDownload"));
    }

    [Fact]
    public async Task WaitAsync_ClientBucketEmpty_CountsTheChunkUnderRatePerClient()
    {
        using var recorded = new ThrottledBytes(_services);
        using var clients = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ => new TokenBucketRateLimiter(ByteRateBuckets.Options(Rate))));
        using var first = new DownloadThrottle(0, 0, clients, Rate, "ip:192.0.2.1", metrics: Metrics());
        using var second = new DownloadThrottle(0, 0, clients, Rate, "ip:192.0.2.1", metrics: Metrics());

        // Two downloads of one client share its bucket: the second finds it empty.
        await first.WaitAsync(Bucket, CancellationToken.None);
        await second.WaitAsync(Bucket, CancellationToken.None);

        Assert.Equal(Bucket, recorded.Bytes("RatePerClient"));
    }

    [Fact]
    public async Task SnapshotAfterThrottledSample_CarriesCapLimitedByAndThrottled()
    {
        var transfer = _registry.Start("a.bin", "192.0.2.1", "whole", 1 << 20);
        using var throttle = new DownloadThrottle(Rate, 0, null, 0, string.Empty, transfer: transfer);
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        await throttle.WaitAsync(Bucket, CancellationToken.None);
        transfer.AddBytesSent(3 * Bucket);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        _registry.SampleProgress();

        using var snapshot = JsonDocument.Parse(_registry.CreateSnapshot().Item.Data);

        var view = snapshot.RootElement.GetProperty("active")[0];
        Assert.Equal(Rate, view.GetProperty("rateLimit").GetInt64());
        Assert.Equal("download", view.GetProperty("limitedBy").GetString());
        Assert.True(view.GetProperty("throttled").GetBoolean());
    }

    [Fact]
    public void SnapshotOfAnUnthrottledTransfer_ShowsNoCap()
    {
        _registry.Start("a.bin", "192.0.2.1", "whole", 1 << 20);

        using var snapshot = JsonDocument.Parse(_registry.CreateSnapshot().Item.Data);

        var view = snapshot.RootElement.GetProperty("active")[0];
        Assert.Equal(0, view.GetProperty("rateLimit").GetInt64());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("limitedBy").ValueKind);
        Assert.False(view.GetProperty("throttled").GetBoolean());
    }

    // What the registry's sampler does to a transfer each interval (under its lock).
    private void Sample(Transfer transfer)
    {
        _time.Advance(TimeSpan.FromMilliseconds(250));
        transfer.SampledTimestamp = _time.GetTimestamp();
    }

    private GatewayMetrics Metrics() => new(_services.GetRequiredService<IMeterFactory>(), Options.Create(new StorageOptions()));

    /// <summary>gateway.throttled.bytes and gateway.throttle.wait of the gateway metrics built from this test's meter factory.</summary>
    private sealed class ThrottledBytes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _bytes = [];
        private readonly Dictionary<string, long> _waits = [];

        public ThrottledBytes(IServiceProvider services)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name is "gateway.throttled.bytes" or "gateway.throttle.wait" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(_bytes, tags, value));
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Add(_waits, tags, 1));
            _listener.Start();
        }

        public long Bytes(string reason) => Get(_bytes, reason);

        public long Waits(string reason) => Get(_waits, reason);

        public void Dispose() => _listener.Dispose();

        private static long Get(Dictionary<string, long> totals, string reason)
        {
            lock (totals)
            {
                return totals.GetValueOrDefault(reason);
            }
        }

        private static void Add(Dictionary<string, long> totals, ReadOnlySpan<KeyValuePair<string, object?>> tags, long value)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gateway.throttle.reason" && tag.Value is string reason)
                {
                    lock (totals)
                    {
                        totals[reason] = totals.GetValueOrDefault(reason) + value;
                    }
                }
            }
        }
    }
}
