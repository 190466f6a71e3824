using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using LargeFileGateway.Observability;
using LargeFileGateway.Progress;

namespace LargeFileGateway.Limits;

/// <summary>
/// The rate limits of one download: its own bucket (after a burst at full speed, as nginx's
/// <c>limit_rate_after</c>) and the bucket its client shares with its other downloads. The copier asks
/// <see cref="WaitAsync"/> before each chunk; the wait is the limiter's queue, so no thread is held meanwhile.
/// A chunk whose bytes are in the bucket costs no clock read; one that really waits is counted (throttled bytes
/// and wait time by reason, the live transfer's "throttled" flag).
/// </summary>
/// <remarks>
/// Held to its rate, a download waits for only about one chunk in three: the bucket refills while a chunk is being
/// written, so the next ones find their tokens there. Those chunks are throttled too (they are paced by the refill),
/// so a wait also counts the bytes sent since the previous wait, unless the gap between them was long enough for the
/// bucket to fill up again: then the download was not held back in between (the client or storage was slower). The
/// bytes after the last wait count the same way when the download ends. Only the first bucketful, sent before the
/// first wait, is never counted: nothing held it.
/// </remarks>
internal sealed class DownloadThrottle : IDisposable
{
    private readonly TokenBucketRateLimiter? _download;
    private readonly PartitionedRateLimiter<string>? _client;
    private readonly string _partitionKey;
    private readonly ThrottleReason _downloadReason;
    private readonly GatewayMetrics? _metrics;
    private readonly Transfer? _transfer;
    private readonly TimeProvider _clock;

    /// <summary>
    /// The longest an empty bucket of this download takes to be full again (<see cref="ByteRateBuckets.FillTime"/>):
    /// a gap between two waits at least this long means the download was not held back in between.
    /// </summary>
    private readonly long _fillTicks;
    private long _burstLeft;
    private long _pacedBytes;
    private long _lastWaitEnded;
    private ThrottleReason _lastWaitReason;

    /// <param name="ratePerDownload">Bytes per second of this download after the burst (0: none).</param>
    /// <param name="burstBytes">Bytes sent at full speed before <paramref name="ratePerDownload"/> applies.</param>
    /// <param name="client">The per-client buckets, or null when no client rate is set.</param>
    /// <param name="ratePerClient">Bytes per second of those buckets.</param>
    /// <param name="partitionKey">The client's bucket.</param>
    /// <param name="downloadReason">What set <paramref name="ratePerDownload"/>: the key or a signed link.</param>
    /// <param name="metrics">Counts the bytes that waited.</param>
    /// <param name="transfer">The live-progress entry that shows the cap and the flag, when tracked.</param>
    /// <param name="clock">
    /// Times the waits and the gaps between them for the metrics (the system clock unless a test sets one). The buckets
    /// themselves always refill by the real time that passed.
    /// </param>
    public DownloadThrottle(long ratePerDownload, long burstBytes, PartitionedRateLimiter<string>? client, long ratePerClient, string partitionKey,
        ThrottleReason downloadReason = ThrottleReason.RatePerDownload, GatewayMetrics? metrics = null, Transfer? transfer = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _download = ratePerDownload > 0 ? new TokenBucketRateLimiter(ByteRateBuckets.Options(ratePerDownload, refilledByElapsedTime: true)) : null;
        _burstLeft = ratePerDownload > 0 ? burstBytes : 0;
        _client = client;
        _partitionKey = partitionKey;
        _downloadReason = downloadReason;
        _metrics = metrics;
        _transfer = transfer;
        RatePerDownload = ratePerDownload;
        RatePerClient = client is null ? 0 : ratePerClient;
        _fillTicks = (long)(Math.Max(
            ratePerDownload > 0 ? ByteRateBuckets.FillTime(ratePerDownload).TotalSeconds : 0,
            RatePerClient > 0 ? (ByteRateBuckets.FillTime(RatePerClient) + ByteRateBuckets.PartitionedHeartbeat).TotalSeconds : 0) * _clock.TimestampFrequency);
        MaxChunkBytes = Math.Min(
            ratePerDownload > 0 ? ByteRateBuckets.Capacity(ratePerDownload) : int.MaxValue,
            RatePerClient > 0 ? ByteRateBuckets.Capacity(RatePerClient) : int.MaxValue);

        // The lower rate is the cap one download can reach; at a tie its own bucket is named, the one it never shares.
        (Cap, CapReason) = RatePerClient > 0 && (ratePerDownload <= 0 || RatePerClient < ratePerDownload)
            ? (RatePerClient, ThrottleReason.RatePerClient)
            : (ratePerDownload, downloadReason);
        if (Cap > 0)
        {
            transfer?.LimitTo(Cap, LimitedByName(CapReason));
        }
    }

    /// <summary>Bytes per second of this download (0: none), for the dashboard and nginx.</summary>
    public long RatePerDownload { get; }

    /// <summary>Bytes per second its client shares (0: none).</summary>
    public long RatePerClient { get; }

    /// <summary>The most this download can get: the lower of its own rate and its client's.</summary>
    public long Cap { get; }

    /// <summary>Which limit <see cref="Cap"/> is.</summary>
    public ThrottleReason CapReason { get; }

    /// <summary>
    /// The largest chunk one wait may cover: a bucket never holds more than its capacity, so a larger request
    /// could never be granted. The copier shrinks its chunks to this, which also keeps the stream smooth.
    /// </summary>
    public int MaxChunkBytes { get; }

    /// <summary>How the dashboard names a limit (the JSON <c>limitedBy</c> of a transfer).</summary>
    public static string LimitedByName(ThrottleReason reason) => reason switch
    {
        ThrottleReason.LinkRate => "link",
        ThrottleReason.RatePerClient => "client",
        _ => "download",
    };

    /// <summary>Waits until <paramref name="bytes"/> (at most <see cref="MaxChunkBytes"/>) may be sent.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        var throttled = bytes;
        if (_burstLeft > 0)
        {
            var free = (int)Math.Min(_burstLeft, bytes);
            _burstLeft -= free;
            throttled -= free;
        }

        // A lease that is there at once completes synchronously: only a real wait reads the clock.
        long waitedSince = 0;
        var waitedBytes = 0;
        var reason = _downloadReason;
        if (_download is not null && throttled > 0)
        {
            // Refilled by the time that really passed (not by ticks, which run late on a busy machine): ask, and
            // while the bucket is short, wait one period on a timer (no thread held, no spinning) and ask again.
            while (true)
            {
                _download.TryReplenish();
                using var lease = _download.AttemptAcquire(throttled);
                if (lease.IsAcquired)
                {
                    break;
                }

                if (waitedSince == 0)
                {
                    waitedSince = _clock.GetTimestamp();
                    waitedBytes = throttled;
                }

                await Task.Delay(ByteRateBuckets.ReplenishmentPeriod, cancellationToken);
            }
        }

        // A client's bucket that was idle (full) may be disposed by the partitioned limiter just as this download
        // asks it; asking again gets a fresh one. Other refusals come from the gateway stopping.
        for (var attempt = 1; _client is not null; attempt++)
        {
            // The common case first: tokens are there (and nobody queued before this download, which the oldest-first
            // bucket checks). AttemptAcquire cost 70 ns, AcquireAsync 190 ns even when it completed at once
            // (benchmarks/LargeFileGateway.Benchmarks/Limits), once per chunk of every limited download.
            using (var granted = _client.AttemptAcquire(_partitionKey, bytes))
            {
                if (granted.IsAcquired)
                {
                    break;
                }
            }

            var acquiring = _client.AcquireAsync(_partitionKey, bytes, cancellationToken);
            if (!acquiring.IsCompleted)
            {
                // The bucket that released the chunk last is the one that held it back: its reason is counted, once.
                waitedSince = waitedSince == 0 ? _clock.GetTimestamp() : waitedSince;
                waitedBytes = bytes;
                reason = ThrottleReason.RatePerClient;
            }

            using var lease = await acquiring;
            if (lease.IsAcquired || attempt == 3)
            {
                ThrowIfRefused(lease);
                break;
            }
        }

        if (waitedSince == 0)
        {
            // Granted at once: paced by the bucket if the download is being held to its rate (the next wait tells).
            _pacedBytes += _client is null ? throttled : bytes;
            return;
        }

        var ended = _clock.GetTimestamp();
        var held = _lastWaitEnded != 0 && waitedSince - _lastWaitEnded <= _fillTicks ? waitedBytes + _pacedBytes : waitedBytes;
        _pacedBytes = 0;
        _lastWaitEnded = ended;
        _lastWaitReason = reason;
        _transfer?.AddThrottledWait();
        _metrics?.Throttled(reason, held, _clock.GetElapsedTime(waitedSince, ended));
    }

    /// <summary>
    /// Ends the download's throttling: the bytes it sent since its last wait were paced by the refill that wait ended
    /// with, unless the bucket had time to fill up since (<see cref="_fillTicks"/>), and are counted under its reason.
    /// </summary>
    public void Dispose()
    {
        if (_pacedBytes > 0 && _lastWaitEnded != 0 && _clock.GetTimestamp() - _lastWaitEnded <= _fillTicks)
        {
            _metrics?.ThrottledWithoutWait(_lastWaitReason, _pacedBytes);
        }

        _pacedBytes = 0;
        _download?.Dispose();
    }

    // With an unbounded queue a lease is refused only by a limiter being disposed: the download is ending
    // or the gateway stopping, which the copier treats as the client having gone.
    private static void ThrowIfRefused(RateLimitLease lease)
    {
        if (!lease.IsAcquired)
        {
            throw new OperationCanceledException("The rate limiter was disposed.");
        }
    }
}
