using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Limits;

/// <summary>
/// The connection caps of the download endpoint, on System.Threading.RateLimiting: concurrent downloads per
/// identity (a <see cref="ConcurrencyLimiter"/> per partition) and in total, requests per identity per minute (a
/// token bucket per partition, so that Retry-After says when the next request is allowed), and the minimum
/// response data rate Kestrel enforces for each download. Called by the handler after the access step, before any
/// storage call.
/// </summary>
internal sealed class ConnectionLimits : IDisposable
{
    /// <summary>
    /// Nobody knows when a running download ends; one second is what a client waits before it tries again (aria2c
    /// and curl retry on their own), short enough that a slot freed is soon used.
    /// </summary>
    private static readonly TimeSpan SlotRetryAfter = TimeSpan.FromSeconds(1);

    private readonly LimitsOptions _options;
    private readonly SlotCaps _slots;
    private readonly PartitionedRateLimiter<string>? _requestsPerClient;
    private readonly MinDataRate? _minClientRate;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private int _peakDownloadsPerClient;

    public ConnectionLimits(IOptions<LimitsOptions> options, GatewayMetrics metrics, ILogger<ConnectionLimits> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _slots = new SlotCaps(_options.DownloadsPerClient, _options.Downloads);

        if (_options.RequestsPerClientPerMinute > 0)
        {
            // A bucket of a minute's requests refilled one by one over the minute: a burst of N is allowed, then one
            // every 60/N s. The partitioned limiter refills every bucket from one timer (AutoReplenishment off).
            var perMinute = _options.RequestsPerClientPerMinute;
            var period = TimeSpan.FromTicks(Math.Max(1, TimeSpan.TicksPerMinute / perMinute));
            var bucket = new TokenBucketRateLimiterOptions { TokenLimit = perMinute, TokensPerPeriod = 1, ReplenishmentPeriod = period, QueueLimit = 0, AutoReplenishment = false };
            Func<string, RateLimiter> factory = _ => new TokenBucketRateLimiter(bucket);
            _requestsPerClient = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.Get(client, factory), StringComparer.Ordinal);
        }

        if (_options.MinClientRate > 0)
        {
            _minClientRate = new MinDataRate(_options.MinClientRate, _options.MinClientRateGrace);
        }
    }

    public bool IsOn => _slots.IsOn || _requestsPerClient is not null || _minClientRate is not null;

    /// <summary>The most downloads one identity held at once since start (what the tests and the log compare with the cap).</summary>
    public int PeakDownloadsPerClient => Volatile.Read(ref _peakDownloadsPerClient);

    /// <summary>
    /// Takes what the request needs: a request of the minute's budget, and for a GET a download slot of its identity
    /// and of the instance. When refused, the answer (429 or 503 with Retry-After, problem details) is written and
    /// the returned lease is not acquired. The caller disposes the lease when the request ends.
    /// </summary>
    public async ValueTask<LimitLease> TryAcquireAsync(HttpContext context)
    {
        if (!IsOn)
        {
            return LimitLease.Unlimited;
        }

        var client = ClientOf(context);
        if (_requestsPerClient is not null)
        {
            using var request = _requestsPerClient.AttemptAcquire(client);
            if (!request.IsAcquired)
            {
                var retryAfter = request.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                await RefuseAsync(context, client, LimitRefusalReason.RequestsPerClientPerMinute, _options.RequestsPerClientPerMinute, retryAfter);
                return LimitLease.Refused;
            }
        }

        // Only a GET sends a body that holds the connection; HEAD (and the 304, 412 or 416 a GET may end as) is over
        // at once, so it takes no slot.
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return LimitLease.Unlimited;
        }

        var lease = LimitLease.Unlimited;
        if (_slots.IsOn)
        {
            if (_slots.TryTake(client, out var refusedByTotal) is not { } taken)
            {
                await (refusedByTotal
                    ? RefuseAsync(context, client, LimitRefusalReason.Downloads, _options.Downloads, SlotRetryAfter)
                    : RefuseAsync(context, client, LimitRefusalReason.DownloadsPerClient, _options.DownloadsPerClient, SlotRetryAfter));
                return LimitLease.Refused;
            }

            lease = taken;
            RecordPeak(_slots.InUseBy(client));
        }

        ApplyMinClientRate(context);
        return lease;
    }

    /// <summary>
    /// Takes only a request of the minute's budget, for answers that hold no download (a folder listing: a page that
    /// is over at once, but costs storage calls, so it counts like any other request). When refused, the 429 is
    /// written and false returned.
    /// </summary>
    public async ValueTask<bool> TryCountRequestAsync(HttpContext context)
    {
        if (_requestsPerClient is null)
        {
            return true;
        }

        var client = ClientOf(context);
        using var request = _requestsPerClient.AttemptAcquire(client);
        if (request.IsAcquired)
        {
            return true;
        }

        var retryAfter = request.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        await RefuseAsync(context, client, LimitRefusalReason.RequestsPerClientPerMinute, _options.RequestsPerClientPerMinute, retryAfter);
        return false;
    }

    public void Dispose()
    {
        _slots.Dispose();
        _requestsPerClient?.Dispose();
    }

    /// <summary>
    /// The identity the access step proved (a signed link, a token subject), else the client address: the one from
    /// X-Forwarded-For when the peer is a trusted proxy (the forwarded-headers step has set it by now).
    /// </summary>
    internal static string ClientOf(HttpContext context)
    {
        if (context.Features.Get<AccessIdentity>() is { } identity)
        {
            return identity.PartitionKey;
        }

        var address = context.Connection.RemoteIpAddress;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        return string.Concat("ip:", address?.ToString() ?? IPAddress.None.ToString());
    }

    // Kestrel cuts a response that is read below the rate for longer than the grace (it measures only while a write
    // waits for the client, so a client that is slow but keeps above the rate is never cut). Per request it can be
    // set only on HTTP/1.x; HTTP/2 and HTTP/3 use the server-wide Kestrel:Limits:MinResponseDataRate.
    private void ApplyMinClientRate(HttpContext context)
    {
        if (_minClientRate is not null && (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
            && context.Features.Get<IHttpMinResponseDataRateFeature>() is { } feature)
        {
            feature.MinDataRate = _minClientRate;
        }
    }

    private void RecordPeak(int inUse)
    {
        var peak = Volatile.Read(ref _peakDownloadsPerClient);
        while (inUse > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakDownloadsPerClient, inUse, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    private async Task RefuseAsync(HttpContext context, string client, LimitRefusalReason reason, int limit, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        Log.LimitRefused(_logger, context.Request.Method, client, reason, limit, seconds);
        _metrics.LimitRefused(reason);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await (reason switch
        {
            LimitRefusalReason.Downloads => Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                "The gateway is serving as many downloads as it may; try again after Retry-After seconds."),
            LimitRefusalReason.DownloadsPerClient => Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                "Too many downloads at once from this client; try again after Retry-After seconds."),
            _ => Downloads.DownloadProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                "Too many requests from this client this minute; try again after Retry-After seconds."),
        });
    }
}
