namespace LargeFileGateway.Security;

/// <summary>
/// Marks a request that came through a trusted proxy (<c>Gateway:ForwardedHeaders</c>): set before the
/// forwarded-headers middleware rewrites the connection's address, from that address (and the X-Forwarded-For every
/// proxied request carries), so no header alone can make a request look proxied. A direct request has none. Read it as
/// <c>context.Features.Get&lt;ProxiedRequestFeature&gt;()?.FromTrustedProxy == true</c>.
/// </summary>
internal sealed class ProxiedRequestFeature(bool fromTrustedProxy)
{
    /// <summary>True when the connection's peer is one of the trusted proxies or inside a trusted network.</summary>
    public bool FromTrustedProxy { get; } = fromTrustedProxy;
}
