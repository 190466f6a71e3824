namespace LargeFileGateway.Configuration;

/// <summary>
/// Fair-use limits, bound from <c>Gateway:Limits</c>. Every limit is off by default, and 0 turns one off. Rates are
/// bytes per second; a "client" is the identity of the access step (a signed link, a token subject, or else the
/// client address), so that every connection of one identity shares one budget.
/// </summary>
internal sealed class LimitsOptions
{
    public const string SectionName = "Gateway:Limits";

    /// <summary>Largest rate accepted (1 TiB/s): far above any link, and small enough that token arithmetic never overflows.</summary>
    public const double MaxRate = 1L << 40;

    /// <summary>
    /// Kestrel measures the response data rate once per heartbeat (1 s) and refuses a grace period that is not longer.
    /// </summary>
    public static readonly TimeSpan MinimumGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bytes per second of one download after its first <see cref="RateAfterBytes"/> (nginx's <c>limit_rate</c>).
    /// A signed link's <c>rate=</c> sets it for that link; with both, the lower applies. 0: off.
    /// </summary>
    [NumberRange(0, MaxRate, ErrorMessage = SectionName + ":RatePerDownload must be between {1} and {2} bytes per second (0: off).")]
    public long RatePerDownload { get; set; }

    /// <summary>
    /// Bytes of each download sent at full speed before its per-download rate applies (nginx's
    /// <c>limit_rate_after</c>). Does nothing without a per-download rate. 0: throttled from the first byte.
    /// </summary>
    [NumberRange(0, double.MaxValue, ErrorMessage = SectionName + ":RateAfterBytes must be at least {1} (0: throttled from the first byte).")]
    public long RateAfterBytes { get; set; }

    /// <summary>
    /// Bytes per second shared by every download of one client: 16 connections together get this rate, not 16 times
    /// it. Enforced by the gateway only, also in offload mode for the bytes it sends itself. 0: off.
    /// </summary>
    [NumberRange(0, MaxRate, ErrorMessage = SectionName + ":RatePerClient must be between {1} and {2} bytes per second (0: off).")]
    public long RatePerClient { get; set; }

    /// <summary>Concurrent downloads one client may have; over it the request gets 429 with Retry-After. 0: off.</summary>
    [NumberRange(0, 1_000_000, ErrorMessage = SectionName + ":DownloadsPerClient must be between {1} and {2} (0: off).")]
    public int DownloadsPerClient { get; set; }

    /// <summary>Concurrent downloads of all clients together; over it the request gets 503 with Retry-After. 0: off.</summary>
    [NumberRange(0, 10_000_000, ErrorMessage = SectionName + ":Downloads must be between {1} and {2} (0: off).")]
    public int Downloads { get; set; }

    /// <summary>Download requests one client may start per minute; over it the request gets 429 with Retry-After. 0: off.</summary>
    [NumberRange(0, 100_000_000, ErrorMessage = SectionName + ":RequestsPerClientPerMinute must be between {1} and {2} (0: off).")]
    public int RequestsPerClientPerMinute { get; set; }

    /// <summary>
    /// Slowest a client may read, in bytes per second, once <see cref="MinClientRateGrace"/> has passed; a slower
    /// connection is cut (it can resume with Range). Kestrel's MinResponseDataRate for the request. 0: off (Kestrel's
    /// own setting stays).
    /// </summary>
    [NumberRange(0, MaxRate, ErrorMessage = SectionName + ":MinClientRate must be between {1} and {2} bytes per second (0: off).")]
    public long MinClientRate { get; set; }

    /// <summary>
    /// How long a download may stay below <see cref="MinClientRate"/> before it is cut; longer than
    /// <see cref="MinimumGrace"/> when a minimum rate is set.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = SectionName + ":MinClientRateGrace must be between {1} and {2}.")]
    public TimeSpan MinClientRateGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one response write may wait with the client taking nothing before the connection (HTTP/1.1) or the
    /// stream (HTTP/2) is aborted; the client can resume with Range. Unlike <see cref="MinClientRate"/> it works the
    /// same on every protocol (Kestrel sets a minimum rate per request only on HTTP/1.x). It times one write, not a rate:
    /// every write the client takes starts it again, so a slow trickle is <see cref="MinClientRate"/>'s to judge. A slow
    /// reader's write can still wait seconds (TCP opens its window in steps): tens of seconds suit production. 0: off.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = SectionName + ":IdleWriteTimeout must be between {1} and {2} (0: off).")]
    public TimeSpan IdleWriteTimeout { get; set; }

    /// <summary>
    /// Concurrent watchers of <c>/events</c> one client may have open; over it the stream is refused with 429 and
    /// Retry-After before it subscribes. 0: off.
    /// </summary>
    [NumberRange(0, 1_000_000, ErrorMessage = SectionName + ":WatchersPerClient must be between {1} and {2} (0: off).")]
    public int WatchersPerClient { get; set; }

    /// <summary>
    /// Concurrent watchers of <c>/events</c> of all clients together; over it the stream is refused with 503 and
    /// Retry-After before it subscribes. 0: off.
    /// </summary>
    [NumberRange(0, 10_000_000, ErrorMessage = SectionName + ":Watchers must be between {1} and {2} (0: off).")]
    public int Watchers { get; set; }
}
