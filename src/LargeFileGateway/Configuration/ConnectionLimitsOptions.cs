namespace LargeFileGateway.Configuration;

/// <summary>
/// The connection caps and the slow-client policy of the download endpoint, bound from <c>Gateway:Limits</c> (the
/// section the bandwidth limits share). Every limit is off by default; 0 means off.
/// </summary>
internal sealed class ConnectionLimitsOptions
{
    public const string SectionName = "Gateway:Limits";

    /// <summary>
    /// Kestrel measures the response data rate once per heartbeat (1 s) and refuses a grace period that is not longer.
    /// </summary>
    public static readonly TimeSpan MinimumGrace = TimeSpan.FromSeconds(1);

    /// <summary>Concurrent GET downloads of one identity (a signed link, a token subject or a client address); over it: 429.</summary>
    [NumberRange(0, 1_000_000, ErrorMessage = SectionName + ":DownloadsPerClient must be between {1} and {2}.")]
    public int DownloadsPerClient { get; set; }

    /// <summary>Concurrent GET downloads of the whole instance; over it: 503.</summary>
    [NumberRange(0, 10_000_000, ErrorMessage = SectionName + ":Downloads must be between {1} and {2}.")]
    public int Downloads { get; set; }

    /// <summary>Requests (GET and HEAD) of one identity to the download endpoint per minute; over it: 429.</summary>
    [NumberRange(0, 1_000_000, ErrorMessage = SectionName + ":RequestsPerClientPerMinute must be between {1} and {2}.")]
    public int RequestsPerClientPerMinute { get; set; }

    /// <summary>
    /// The response data rate (bytes per second) below which a download is cut once <see cref="MinClientRateGrace"/>
    /// has passed: Kestrel's MinResponseDataRate for the request. 0: Kestrel's own setting stays.
    /// </summary>
    [NumberRange(0, 1_000_000_000, ErrorMessage = SectionName + ":MinClientRate must be between {1} and {2} bytes per second.")]
    public long MinClientRate { get; set; }

    /// <summary>How long a download may stay below <see cref="MinClientRate"/> before it is cut.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = SectionName + ":MinClientRateGrace must be between {1} and {2}.")]
    public TimeSpan MinClientRateGrace { get; set; } = TimeSpan.FromSeconds(10);
}
