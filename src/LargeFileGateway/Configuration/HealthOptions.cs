namespace LargeFileGateway.Configuration;

/// <summary>The probes <c>/healthz</c> and <c>/readyz</c>. Bound from <c>Gateway:Health</c>.</summary>
internal sealed class HealthOptions
{
    public const string SectionName = "Gateway:Health";

    /// <summary>
    /// Who gets JSON details when asking (<c>?details</c> or <c>Accept: application/json</c>). Loopback by default:
    /// the details name the provider and its error, which is for operators, not the internet.
    /// </summary>
    [System.ComponentModel.DataAnnotations.EnumDataType(typeof(HealthDetailsMode), ErrorMessage = SectionName + ":Details must be Off, Loopback or Always.")]
    public HealthDetailsMode Details { get; set; } = HealthDetailsMode.Loopback;

    /// <summary>
    /// Longest wait for the storage probe of <c>/readyz</c>. 2 s: a load balancer polls every few seconds, and a
    /// backend slower than this to answer one cheap call would not serve a download well either.
    /// </summary>
    [TimeSpanRange("00:00:00.010", "00:01:00", ErrorMessage = SectionName + ":ProbeTimeout must be between {1} and {2}.")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long one storage probe's result answers every readiness request. 1 s keeps a flood of probes (or several
    /// load balancers) to one storage call per second while a returning backend is seen within about a second.
    /// Zero probes on every request.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:05:00", ErrorMessage = SectionName + ":ProbeCacheDuration must be between {1} and {2}.")]
    public TimeSpan ProbeCacheDuration { get; set; } = TimeSpan.FromSeconds(1);
}
