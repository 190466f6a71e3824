using System.Globalization;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>
/// The caps on concurrent watchers of <c>/events</c>, per identity (<see cref="SlotCaps"/>: a concurrency limiter per partition,
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

    private readonly SlotCaps _slots;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    public WatcherLimits(IOptions<LimitsOptions> options, GatewayMetrics metrics, ILogger<WatcherLimits> logger)
    {
        _slots = new SlotCaps(options.Value.WatchersPerClient, options.Value.Watchers);
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Takes a watcher slot of the request's identity and of the instance. When refused, the answer (429 or 503 with
    /// Retry-After, problem details) is written and the returned lease is not acquired. The caller disposes the lease
    /// when the stream ends.
    /// </summary>
    public async ValueTask<LimitLease> TryAcquireAsync(HttpContext context)
    {
        if (!_slots.IsOn)
        {
            return LimitLease.Unlimited;
        }

        var client = ConnectionLimits.ClientOf(context);
        if (_slots.TryTake(client, out var refusedByTotal) is { } lease)
        {
            return lease;
        }

        await (refusedByTotal
            ? RefuseAsync(context, client, LimitRefusalReason.Watchers, _slots.TotalLimit)
            : RefuseAsync(context, client, LimitRefusalReason.WatchersPerClient, _slots.PerClientLimit));
        return LimitLease.Refused;
    }

    public void Dispose() => _slots.Dispose();

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
