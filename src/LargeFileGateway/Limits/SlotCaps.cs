using System.Threading.RateLimiting;

namespace LargeFileGateway.Limits;

/// <summary>
/// Concurrent slots per identity (a <see cref="ConcurrencyLimiter"/> per partition) and in total, taken together and
/// released together as one <see cref="LimitLease"/>: the caps of downloads and of <c>/events</c> watchers are the
/// same mechanism with other numbers and other answers, which stay with their owners.
/// </summary>
internal sealed class SlotCaps : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perClient;
    private readonly ConcurrencyLimiter? _total;

    /// <param name="perClient">Slots one identity may hold at once (0: no cap).</param>
    /// <param name="total">Slots the instance holds at once (0: no cap).</param>
    public SlotCaps(int perClient, int total)
    {
        PerClientLimit = perClient;
        TotalLimit = total;
        if (perClient > 0)
        {
            // The partitioner runs on every acquire: one factory made here, so that a lookup allocates nothing.
            var options = new ConcurrencyLimiterOptions { PermitLimit = perClient, QueueLimit = 0 };
            Func<string, RateLimiter> factory = _ => new ConcurrencyLimiter(options);
            _perClient = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.Get(client, factory), StringComparer.Ordinal);
        }

        if (total > 0)
        {
            _total = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = total, QueueLimit = 0 });
        }
    }

    public bool IsOn => _perClient is not null || _total is not null;

    public int PerClientLimit { get; }

    public int TotalLimit { get; }

    /// <summary>
    /// Takes a slot of <paramref name="client"/> and one of the instance, or neither: null and which cap refused
    /// (<paramref name="refusedByTotal"/>) when one is full.
    /// </summary>
    public LimitLease? TryTake(string client, out bool refusedByTotal)
    {
        refusedByTotal = false;
        RateLimitLease? perClient = null;
        if (_perClient is not null)
        {
            perClient = _perClient.AttemptAcquire(client);
            if (!perClient.IsAcquired)
            {
                perClient.Dispose();
                return null;
            }
        }

        RateLimitLease? total = null;
        if (_total is not null)
        {
            total = _total.AttemptAcquire();
            if (!total.IsAcquired)
            {
                total.Dispose();
                perClient?.Dispose();
                refusedByTotal = true;
                return null;
            }
        }

        return new LimitLease(isAcquired: true, perClient, total);
    }

    /// <summary>Slots <paramref name="client"/> holds now (0 without a per-client cap).</summary>
    public int InUseBy(string client)
        => _perClient?.GetStatistics(client) is { } statistics ? PerClientLimit - (int)statistics.CurrentAvailablePermits : 0;

    public void Dispose()
    {
        _perClient?.Dispose();
        _total?.Dispose();
    }
}
