using System.Globalization;
using System.Threading.RateLimiting;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>
/// The caps on concurrent watchers of <c>/events</c>, per identity (a <see cref="ConcurrencyLimiter"/> per partition,
/// the partition of <see cref="ConnectionLimits.ClientOf"/>) and in total. A watcher holds its slots for as long as
/// its stream is open; over a cap it is refused before it subscribes, so a refused watcher costs the event hub nothing.
/// </summary>
internal sealed class WatcherLimits : IDisposable
{
    /// <summary>
    /// A watcher stays for as long as its page is open, so nobody knows when a slot frees; a browser's EventSource does
    /// not retry after a 429 or 503 at all, and a script that does should not hammer: five seconds.
    /// </summary>
    private static readonly TimeSpan SlotRetryAfter = TimeSpan.FromSeconds(5);

    private readonly LimitsOptions _options;
    private readonly PartitionedRateLimiter<string>? _perClient;
    private readonly ConcurrencyLimiter? _total;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    public WatcherLimits(IOptions<LimitsOptions> options, GatewayMetrics metrics, ILogger<WatcherLimits> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        if (_options.WatchersPerClient > 0)
        {
            var perClient = _options.WatchersPerClient;
            _perClient = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetConcurrencyLimiter(client,
                _ => new ConcurrencyLimiterOptions { PermitLimit = perClient, QueueLimit = 0 }));
        }

        if (_options.Watchers > 0)
        {
            _total = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = _options.Watchers, QueueLimit = 0 });
        }
    }

    /// <summary>
    /// Takes a watcher slot of the request's identity and of the instance. When refused, the answer (429 or 503 with
    /// Retry-After, problem details) is written and the returned lease is not acquired. The caller disposes the lease
    /// when the stream ends.
    /// </summary>
    public async ValueTask<LimitLease> TryAcquireAsync(HttpContext context)
    {
        if (_perClient is null && _total is null)
        {
            return LimitLease.Unlimited;
        }

        var client = ConnectionLimits.ClientOf(context);
        RateLimitLease? perClient = null;
        if (_perClient is not null)
        {
            perClient = _perClient.AttemptAcquire(client);
            if (!perClient.IsAcquired)
            {
                perClient.Dispose();
                await RefuseAsync(context, client, LimitRefusalReason.WatchersPerClient, _options.WatchersPerClient);
                return LimitLease.Refused;
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
                await RefuseAsync(context, client, LimitRefusalReason.Watchers, _options.Watchers);
                return LimitLease.Refused;
            }
        }

        return new LimitLease(isAcquired: true, perClient, total);
    }

    public void Dispose()
    {
        _perClient?.Dispose();
        _total?.Dispose();
    }

    private async Task RefuseAsync(HttpContext context, string client, LimitRefusalReason reason, int limit)
    {
        var seconds = (long)SlotRetryAfter.TotalSeconds;
        Log.WatcherRefused(_logger, client, reason, limit, seconds);
        _metrics.LimitRefused(reason);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await (reason == LimitRefusalReason.Watchers
            ? Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                "The gateway has as many watchers of /events as it may; try again after Retry-After seconds.")
            : Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                "Too many watchers of /events from this client; try again after Retry-After seconds."));
    }
}
