using System.Net;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using LargeFileGateway.Limits;
using LargeFileGateway.Progress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.UnitTests.Limits;

public sealed class DownloadRatesTests
{
    [Theory]
    [InlineData(0, null, 0)]
    [InlineData(2_000_000, null, 2_000_000)]
    [InlineData(0, 500_000L, 500_000)]
    [InlineData(2_000_000, 500_000L, 500_000)]
    [InlineData(500_000, 2_000_000L, 500_000)]
    public void RatePerDownload_ConfiguredAndLinkRate_TakesTheLowerThatIsSet(long configured, long? linkRate, long expected)
    {
        using var rates = Create(new LimitsOptions { RatePerDownload = configured });
        var context = Context(new AccessIdentity(AccessIdentityKind.SignedLink, "link:k1:abc", linkRate));

        Assert.Equal(expected, rates.RatePerDownload(context));
    }

    [Fact]
    public void Bucket_RefilledByElapsedTime_OneLateRefillAddsTheTimeThatPassed()
    {
        const long rate = 1_000_000;
        using var bucket = new System.Threading.RateLimiting.TokenBucketRateLimiter(ByteRateBuckets.Options(rate, refilledByElapsedTime: true));
        var limit = 2 * ByteRateBuckets.Capacity(rate);
        Assert.True(bucket.AttemptAcquire(limit).IsAcquired);

        // One refill, six periods late: a bucket on its own timer would have added one period's tokens for that tick.
        Thread.Sleep(ByteRateBuckets.ReplenishmentPeriod * 6);
        bucket.TryReplenish();

        Assert.Equal(limit, bucket.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task ClientBucket_DrainedThenIdleForAFewHeartbeats_HoldsTwoChunksAgain()
    {
        const long rate = 1_000_000;
        using var rates = Create(new LimitsOptions { RatePerClient = rate });
        var context = Context(null);
        var partition = DownloadRates.PartitionKey(context);
        using (var throttle = rates.StartThrottle(context, "a.bin")!)
        {
            await throttle.WaitAsync(throttle.MaxChunkBytes, CancellationToken.None);
            await throttle.WaitAsync(throttle.MaxChunkBytes, CancellationToken.None);
        }

        // The partitioned limiter's heartbeat (100 ms) refills each bucket by the time that passed, up to two chunks.
        var full = 2 * ByteRateBuckets.Capacity(rate);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (rates.ClientBucket(partition)!.CurrentAvailablePermits < full && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(full, rates.ClientBucket(partition)!.CurrentAvailablePermits);
    }

    [Fact]
    public void StartThrottle_EveryLimitOff_GivesNoThrottle()
    {
        using var rates = Create(new LimitsOptions { RateAfterBytes = 1 << 20 });

        Assert.Null(rates.StartThrottle(Context(null), "a.bin"));
    }

    [Fact]
    public void StartThrottle_SmallRate_ShrinksChunksToTheBucket()
    {
        using var rates = Create(new LimitsOptions { RatePerDownload = 100_000, RatePerClient = 50_000 });

        using var throttle = rates.StartThrottle(Context(null), "a.bin");

        Assert.NotNull(throttle);
        Assert.Equal(5_000, throttle.MaxChunkBytes);
    }

    [Theory]
    [InlineData(0, 500_000L, "link")]
    [InlineData(2_000_000, 500_000L, "link")]
    [InlineData(500_000, 2_000_000L, "download")]
    [InlineData(500_000, 500_000L, "download")]
    [InlineData(500_000, null, "download")]
    public void StartThrottle_ConfiguredAndLinkRate_NamesTheOneThatApplies(long configured, long? linkRate, string limitedBy)
    {
        using var rates = Create(new LimitsOptions { RatePerDownload = configured });
        using var registry = new TransferRegistry(new EventsOptions(), TimeProvider.System, startSampler: false);
        var transfer = registry.Start("a.bin", "203.0.113.9", "whole", 1 << 20);

        using var throttle = rates.StartThrottle(Context(new AccessIdentity(AccessIdentityKind.SignedLink, "link:k1:abc", linkRate)), "a.bin", transfer);

        Assert.Equal(limitedBy, transfer.LimitedBy);
        Assert.Equal(Math.Min(configured > 0 ? configured : long.MaxValue, linkRate ?? long.MaxValue), transfer.RateLimit);
    }

    [Fact]
    public void PartitionKey_NoIdentity_IsTheClientAddress()
        => Assert.Equal("ip:203.0.113.9", DownloadRates.PartitionKey(Context(null)));

    private static DownloadRates Create(LimitsOptions options) => new(Options.Create(options), NullLogger<DownloadRates>.Instance);

    private static DefaultHttpContext Context(AccessIdentity? identity)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");
        if (identity is not null)
        {
            context.Features.Set(identity);
        }

        return context;
    }
}
