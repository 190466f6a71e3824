using System.Threading.RateLimiting;

namespace LargeFileGateway.Limits;

/// <summary>
/// The token bucket behind one byte rate: a token is a byte. The bucket holds a tenth of a second of the rate and
/// refills every 50 ms, so a throttled stream never runs ahead by more than that tenth: over any one-second window
/// it stays within 1.1 x the rate (the issue allows 1.25 x), while waits stay short enough to keep TCP busy.
/// </summary>
internal static class ByteRateBuckets
{
    public static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>Periods per second.</summary>
    private const int PeriodsPerSecond = 20;

    /// <summary>The largest piece one acquire may ask for: the bucket's capacity.</summary>
    public static int Capacity(long bytesPerSecond) => (int)Math.Clamp(bytesPerSecond / 10, TokensPerPeriod(bytesPerSecond), int.MaxValue);

    public static TokenBucketRateLimiterOptions Options(long bytesPerSecond) => new()
    {
        TokenLimit = Capacity(bytesPerSecond),
        TokensPerPeriod = TokensPerPeriod(bytesPerSecond),
        ReplenishmentPeriod = ReplenishmentPeriod,
        AutoReplenishment = true,
        // Downloads of one client wait in turn, oldest first, so that each gets its share; the queue is bounded by
        // the downloads themselves (one waiting piece each), not by this number.
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    private static int TokensPerPeriod(long bytesPerSecond) => (int)Math.Clamp(bytesPerSecond / PeriodsPerSecond, 1, int.MaxValue);
}
