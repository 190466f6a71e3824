using System.Threading.RateLimiting;

namespace LargeFileGateway.Limits;

/// <summary>
/// The download slots a request holds (per client and in total, either may be absent), released when the request
/// ends, however it ends: the handler disposes it, so an aborted download frees its slot at once and the client's
/// resume is never counted twice.
/// </summary>
internal sealed class LimitLease : IDisposable
{
    public static readonly LimitLease Refused = new(isAcquired: false, null, null);

    public static readonly LimitLease Unlimited = new(isAcquired: true, null, null);

    private RateLimitLease? _perClient;
    private RateLimitLease? _total;

    public LimitLease(bool isAcquired, RateLimitLease? perClient, RateLimitLease? total)
    {
        IsAcquired = isAcquired;
        _perClient = perClient;
        _total = total;
    }

    /// <summary>False when a limit refused the request: its answer is written and the handler only returns.</summary>
    public bool IsAcquired { get; }

    public void Dispose()
    {
        Interlocked.Exchange(ref _perClient, null)?.Dispose();
        Interlocked.Exchange(ref _total, null)?.Dispose();
    }
}
