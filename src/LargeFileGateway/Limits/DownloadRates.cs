using System.Threading.RateLimiting;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Progress;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>
/// Decides the byte rates of each download from <c>Gateway:Limits</c> and the request's identity, and holds the
/// per-client buckets (one per <see cref="AccessIdentity.PartitionKey"/>, shared by every download of that client).
/// With every rate off it hands out no throttle at all, so the copier's hot path is unchanged.
/// </summary>
internal sealed class DownloadRates : IDisposable
{
    private readonly long _ratePerDownload;
    private readonly long _rateAfterBytes;
    private readonly long _ratePerClient;
    private readonly PartitionedRateLimiter<string>? _clients;
    private readonly ILogger _logger;
    private readonly GatewayMetrics? _metrics;
    private readonly TimeProvider? _clock;

    /// <param name="options">The rates.</param>
    /// <param name="logger">Says which rates a download got.</param>
    /// <param name="metrics">Counts the bytes that waited.</param>
    /// <param name="clock">
    /// The gateway's clock, on which each throttle times its waits and the gaps between them for the metrics (the
    /// system clock unless a test sets one); the buckets always refill by the real time that passed.
    /// </param>
    public DownloadRates(IOptions<LimitsOptions> options, ILogger<DownloadRates> logger, GatewayMetrics? metrics = null, TimeProvider? clock = null)
    {
        _metrics = metrics;
        _clock = clock;
        _ratePerDownload = options.Value.RatePerDownload;
        _rateAfterBytes = options.Value.RateAfterBytes;
        _ratePerClient = options.Value.RatePerClient;
        _logger = logger;
        if (_ratePerClient > 0)
        {
            // Refilled by the time that really passed: the partitioned limiter's own heartbeat (every 100 ms) calls
            // TryReplenish on each bucket, and a bucket on its own timer instead added one period per tick however
            // late the tick ran, so a loaded machine lost rate. The partitioned limiter also disposes a client's
            // bucket once it has been full (idle) for a while, so memory follows the active clients, not every one seen.
            var bucket = ByteRateBuckets.Options(_ratePerClient, refilledByElapsedTime: true);
            Func<string, RateLimiter> factory = _ => new TokenBucketRateLimiter(bucket);
            _clients = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, factory), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The per-download rate for this request: the lower of <c>RatePerDownload</c> and a signed link's
    /// <c>rate=</c>, 0 when neither applies. nginx is handed this one in offload mode.
    /// </summary>
    public long RatePerDownload(HttpContext context) => RatePerDownload(context, out _);

    /// <summary>
    /// The throttle for the body of this request, or null when no rate applies (no allocation then). It shows its
    /// cap on <paramref name="transfer"/> and flags it each time it waits.
    /// </summary>
    public DownloadThrottle? StartThrottle(HttpContext context, string key, Transfer? transfer = null)
    {
        var perDownload = RatePerDownload(context, out var reason);
        if (perDownload <= 0 && _clients is null)
        {
            return null;
        }

        var partitionKey = _clients is null ? string.Empty : PartitionKey(context);
        Log.DownloadThrottled(_logger, key, perDownload, _rateAfterBytes, _clients is null ? 0 : _ratePerClient, partitionKey);
        return new DownloadThrottle(perDownload, _rateAfterBytes, _clients, _ratePerClient, partitionKey, reason, _metrics, transfer, _clock);
    }

    /// <summary>The client's partition: the same one the connection caps count (see <see cref="ConnectionLimits.ClientOf"/>).</summary>
    public static string PartitionKey(HttpContext context) => ConnectionLimits.ClientOf(context);

    /// <summary>What a client's bucket holds now (tests: the refill of its shared bucket).</summary>
    internal RateLimiterStatistics? ClientBucket(string partitionKey) => _clients?.GetStatistics(partitionKey);

    public void Dispose() => _clients?.Dispose();

    // A link's rate is named only when it is the one that applies: at a tie the operator's key would hold anyway.
    private long RatePerDownload(HttpContext context, out ThrottleReason reason)
    {
        reason = ThrottleReason.RatePerDownload;
        var linkRate = context.Features.Get<AccessIdentity>()?.RatePerDownload ?? 0;
        if (linkRate <= 0 || (_ratePerDownload > 0 && _ratePerDownload <= linkRate))
        {
            return _ratePerDownload;
        }

        reason = ThrottleReason.LinkRate;
        return linkRate;
    }
}
