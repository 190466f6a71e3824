namespace LargeFileGateway.Configuration;

/// <summary>
/// How storage calls of the remote providers survive a flaky backend. Bound from <c>Gateway:Storage:Resilience</c>.
/// Every storage call (metadata lookup, opening a read) runs through one pipeline per provider: a retry with
/// exponential backoff and jitter around a circuit breaker around a timeout per attempt.
/// </summary>
internal sealed class ResilienceOptions
{
    public const string SectionName = "Gateway:Storage:Resilience";

    /// <summary>Retries after the first attempt of one storage call, on transient failures only (resets, timeouts, 5xx, 429, SlowDown).</summary>
    [NumberRange(0, 20, ErrorMessage = SectionName + ":MaxRetryAttempts must be between {1} and {2}.")]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; it doubles for each next one, with jitter so that gateways do not retry in step.</summary>
    [TimeSpanRange("00:00:00", "00:01:00", ErrorMessage = SectionName + ":RetryBaseDelay must be between {1} and {2}.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest one attempt may take until the backend answers (headers), and longest one read of the body may wait
    /// for bytes: a backend that stalls mid-body is treated like one that dropped the connection.
    /// </summary>
    [TimeSpanRange("00:00:00.010", "1.00:00:00", ErrorMessage = SectionName + ":AttemptTimeout must be between {1} and {2}.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Share of failed attempts in <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    [NumberRange(0.0, 1.0, MinimumIsExclusive = true, ErrorMessage = SectionName + ":BreakerFailureRatio must be above 0 and at most 1.")]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the ratio counts (Polly's minimum is 2).</summary>
    [NumberRange(2, int.MaxValue, ErrorMessage = SectionName + ":BreakerMinimumThroughput must be at least {1}.")]
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Window over which failures are counted.</summary>
    [TimeSpanRange("00:00:00.500", "", ErrorMessage = SectionName + ":BreakerSamplingDuration must be at least {1}.")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an open circuit refuses calls at once (503 with this as Retry-After) before one probe is let through.
    /// </summary>
    [TimeSpanRange("00:00:00.500", "", ErrorMessage = SectionName + ":BreakDuration must be at least {1}.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many times one response's read may be reopened at the offset it reached after the backend failed
    /// mid-body, before the client connection is aborted. 0 turns mid-stream resume off.
    /// </summary>
    [NumberRange(0, 10_000, ErrorMessage = SectionName + ":MaxResumesPerRange must be between {1} and {2}.")]
    public int MaxResumesPerRange { get; set; } = 32;

    /// <summary>
    /// How long a metadata lookup (HEAD) is reused for further requests of the same key, so that a download
    /// manager's many range requests do not each cost a round trip. Reads stay pinned to the cached version, so a
    /// stale entry can only cause an error, never bytes of another version. Zero turns the cache off.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = SectionName + ":MetadataCacheTtl must be between {1} and {2}.")]
    public TimeSpan MetadataCacheTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most keys kept in the metadata cache; older entries are dropped first.</summary>
    [NumberRange(1, int.MaxValue, ErrorMessage = SectionName + ":MetadataCacheMaxEntries must be at least {1}.")]
    public int MetadataCacheMaxEntries { get; set; } = 10_000;
}
