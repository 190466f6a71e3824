using System.Threading.RateLimiting;

namespace LargeFileGateway.Limits;

/// <summary>
/// The token bucket behind one byte rate: a token is a byte. The bucket holds a tenth of a second of the rate and
/// refills every 50 ms, so a throttled stream never runs ahead by more than that tenth: over any one-second window
/// it stays within 1.1 x the rate, 1.2 x for a bucket of two chunks (the issue allows 1.25 x), while waits stay short enough to keep TCP busy.
/// </summary>
internal static class ByteRateBuckets
{
    public static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>Periods per second.</summary>
    private const int PeriodsPerSecond = 20;

    /// <summary>The largest piece one acquire may ask for: the bucket's capacity.</summary>
    public static int Capacity(long bytesPerSecond) => (int)Math.Clamp(bytesPerSecond / 10, TokensPerPeriod(bytesPerSecond), int.MaxValue);

    /// <summary>
    /// A bucket on the limiter's own timer (<paramref name="refilledByElapsedTime"/> false), which adds one period's
    /// tokens per tick however late the tick runs (so a loaded machine loses rate), or one its owner refills with
    /// <see cref="ReplenishingRateLimiter.TryReplenish"/>, which adds the tokens of the time that really passed. Such a
    /// bucket holds two chunks, so a refill that comes late is not lost: over one second at most 1.2 x the rate.
    /// </summary>
    public static TokenBucketRateLimiterOptions Options(long bytesPerSecond, bool refilledByElapsedTime = false) => new()
    {
        TokenLimit = refilledByElapsedTime ? (int)Math.Min(2L * Capacity(bytesPerSecond), int.MaxValue) : Capacity(bytesPerSecond),
        TokensPerPeriod = TokensPerPeriod(bytesPerSecond),
        ReplenishmentPeriod = ReplenishmentPeriod,
        AutoReplenishment = !refilledByElapsedTime,
        // Downloads of one client wait in turn, oldest first, so that each gets its share; the queue is bounded by
        // the downloads themselves (one waiting piece each), not by this number.
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    /// <summary>
    /// How often the partitioned limiter of the per-client buckets refills them (its heartbeat calls
    /// <see cref="ReplenishingRateLimiter.TryReplenish"/> on each one every 100 ms).
    /// </summary>
    public static readonly TimeSpan PartitionedHeartbeat = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a bucket refilled by elapsed time (<see cref="Options"/>) takes to fill from empty: its token limit over
    /// its rate, two tenths of a second.
    /// </summary>
    public static TimeSpan FillTime(long bytesPerSecond) =>
        TimeSpan.FromSeconds((double)Options(bytesPerSecond, refilledByElapsedTime: true).TokenLimit / bytesPerSecond);

    private static int TokensPerPeriod(long bytesPerSecond) => (int)Math.Clamp(bytesPerSecond / PeriodsPerSecond, 1, int.MaxValue);
}
