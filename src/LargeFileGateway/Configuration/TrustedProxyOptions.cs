namespace LargeFileGateway.Configuration;

/// <summary>
/// Which reverse proxies may tell the gateway who the client is (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>).
/// Bound from <c>Gateway:ForwardedHeaders</c>.
/// </summary>
/// <remarks>
/// The forwarded fields are honoured only on connections from these addresses; from anyone else they are ignored,
/// so a client cannot pick the address the gateway logs. With both lists empty, only loopback is trusted (nginx on
/// the same host).
/// </remarks>
internal sealed class TrustedProxyOptions
{
    public const string SectionName = "Gateway:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, for example <c>10.0.0.5</c> or <c>::1</c>.</summary>
    [IPAddressList(SectionName + ":TrustedProxies", networks: false)]
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, for example <c>10.0.0.0/24</c>.</summary>
    [IPAddressList(SectionName + ":TrustedNetworks", networks: true)]
    public string[] TrustedNetworks { get; set; } = [];

    /// <summary>
    /// How many proxy hops are read from the end of <c>X-Forwarded-For</c>: one per trusted proxy in the chain.
    /// One suits a single nginx in front.
    /// </summary>
    [NumberRange(1, 10, ErrorMessage = SectionName + ":ForwardLimit must be between {1} and {2}.")]
    public int ForwardLimit { get; set; } = 1;
}
