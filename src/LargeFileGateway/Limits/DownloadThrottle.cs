using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;

namespace LargeFileGateway.Limits;

/// <summary>
/// The rate limits of one download: its own bucket (after a burst at full speed, as nginx's
/// <c>limit_rate_after</c>) and the bucket its client shares with its other downloads. The copier asks
/// <see cref="WaitAsync"/> before each chunk; the wait is the limiter's queue, so no thread is held meanwhile.
/// </summary>
internal sealed class DownloadThrottle : IDisposable
{
    private readonly TokenBucketRateLimiter? _download;
    private readonly PartitionedRateLimiter<string>? _client;
    private readonly string _partitionKey;
    private long _burstLeft;

    public DownloadThrottle(long ratePerDownload, long burstBytes, PartitionedRateLimiter<string>? client, long ratePerClient, string partitionKey)
    {
        _download = ratePerDownload > 0 ? new TokenBucketRateLimiter(ByteRateBuckets.Options(ratePerDownload)) : null;
        _burstLeft = ratePerDownload > 0 ? burstBytes : 0;
        _client = client;
        _partitionKey = partitionKey;
        RatePerDownload = ratePerDownload;
        RatePerClient = client is null ? 0 : ratePerClient;
        MaxChunkBytes = Math.Min(
            ratePerDownload > 0 ? ByteRateBuckets.Capacity(ratePerDownload) : int.MaxValue,
            RatePerClient > 0 ? ByteRateBuckets.Capacity(RatePerClient) : int.MaxValue);
    }

    /// <summary>Bytes per second of this download (0: none), for the dashboard and nginx.</summary>
    public long RatePerDownload { get; }

    /// <summary>Bytes per second its client shares (0: none).</summary>
    public long RatePerClient { get; }

    /// <summary>
    /// The largest chunk one wait may cover: a bucket never holds more than its capacity, so a larger request
    /// could never be granted. The copier shrinks its chunks to this, which also keeps the stream smooth.
    /// </summary>
    public int MaxChunkBytes { get; }

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

        if (_download is not null && throttled > 0)
        {
            using var lease = await _download.AcquireAsync(throttled, cancellationToken);
            ThrowIfRefused(lease);
        }

        // A client's bucket that was idle (full) may be disposed by the partitioned limiter just as this download
        // asks it; asking again gets a fresh one. Other refusals come from the gateway stopping.
        for (var attempt = 1; _client is not null; attempt++)
        {
            using var lease = await _client.AcquireAsync(_partitionKey, bytes, cancellationToken);
            if (lease.IsAcquired || attempt == 3)
            {
                ThrowIfRefused(lease);
                break;
            }
        }
    }

    public void Dispose() => _download?.Dispose();

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
