namespace LargeFileGateway.Configuration;

/// <summary>The Prometheus scrape endpoint <c>/metrics</c>. Bound from <c>Gateway:Metrics</c>.</summary>
/// <remarks>OTLP export is configured by the standard <c>OTEL_EXPORTER_OTLP_*</c> environment variables, not here.</remarks>
internal sealed class MetricsOptions
{
    public const string SectionName = "Gateway:Metrics";

    /// <summary>Serves <c>/metrics</c> in Prometheus text format. Off by default: nothing listens to the meters then.</summary>
    public bool Prometheus { get; set; }

    /// <summary>
    /// Networks (CIDR) whose clients may scrape <c>/metrics</c>; everyone else gets 404, as when it is off. Empty (the
    /// default) means loopback only (127.0.0.0/8 and ::1): an empty default rather than a list, because configuration
    /// adds array entries to a default list instead of replacing it. Checked against the client address after
    /// forwarded headers from trusted proxies are applied.
    /// </summary>
    [IPAddressList(SectionName + ":AllowedNetworks", networks: true)]
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>The networks that may scrape: <see cref="AllowedNetworks"/>, or loopback when it is empty.</summary>
    public string[] EffectiveAllowedNetworks => AllowedNetworks.Length > 0 ? AllowedNetworks : ["127.0.0.0/8", "::1/128"];
}
