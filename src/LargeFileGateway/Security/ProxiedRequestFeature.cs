using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>
/// Whether the request came through one of the trusted proxies: the connection's peer is a trusted proxy address and
/// the request carries the X-Forwarded-For that the shipped nginx config always sets. Decided before the
/// forwarded-headers middleware replaces the peer address, so that no header alone can make a request look proxied,
/// and a client on a trusted address (curl on the proxy's own host) that talks to the gateway directly is not.
/// </summary>
internal sealed class ProxiedRequestFeature(bool fromTrustedProxy)
{
    private static readonly ProxiedRequestFeature Proxied = new(fromTrustedProxy: true);
    private static readonly ProxiedRequestFeature Direct = new(fromTrustedProxy: false);

    public bool FromTrustedProxy { get; } = fromTrustedProxy;

    /// <summary>Sets the feature on every request; must run before <c>UseForwardedHeaders</c>.</summary>
    public static IApplicationBuilder UseProxiedRequestDetection(IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        return app.Use((context, next) =>
        {
            var peer = context.Connection.RemoteIpAddress;
            var proxied = peer is not null && context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName) && IsTrusted(options, peer);
            context.Features.Set(proxied ? Proxied : Direct);
            return next(context);
        });
    }

    private static bool IsTrusted(ForwardedHeadersOptions options, System.Net.IPAddress peer)
    {
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        foreach (var proxy in options.KnownProxies)
        {
            if (proxy.Equals(peer))
            {
                return true;
            }
        }

        foreach (var network in options.KnownIPNetworks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }
}
