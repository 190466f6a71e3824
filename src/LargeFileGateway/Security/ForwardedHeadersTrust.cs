using System.Net;
using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>
/// Applies <see cref="TrustedProxyOptions"/> to the framework's forwarded-headers middleware, which replaces the
/// connection's address and scheme with those in <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> only when the
/// connection comes from a trusted proxy.
/// </summary>
internal static class ForwardedHeadersTrust
{
    public static void Configure(ForwardedHeadersOptions target, IOptions<TrustedProxyOptions> source)
    {
        var trusted = source.Value;

        // X-Forwarded-Host is left out on purpose: nginx passes Host itself, and a forwarded host is one more
        // client-chosen value that links and logs could pick up.
        target.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        target.ForwardLimit = trusted.ForwardLimit;
        if (trusted.TrustedProxies.Length == 0 && trusted.TrustedNetworks.Length == 0)
        {
            // The framework's default: loopback only (nginx on the same host).
            return;
        }

        target.KnownProxies.Clear();
        target.KnownIPNetworks.Clear();
        foreach (var proxy in trusted.TrustedProxies)
        {
            target.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in trusted.TrustedNetworks)
        {
            target.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }

    /// <summary>
    /// Whether <paramref name="peer"/> is a proxy <paramref name="options"/> trusts, by the rule the framework's
    /// forwarded-headers middleware applies: a listed address, or inside a listed network, where an IPv4 peer that
    /// arrives IPv4-mapped on a dual-stack socket (::ffff:10.0.0.5) counts as its IPv4 form.
    /// </summary>
    public static bool IsTrusted(ForwardedHeadersOptions options, IPAddress peer)
    {
        if (peer.IsIPv4MappedToIPv6 && IsTrusted(options, peer.MapToIPv4()))
        {
            return true;
        }

        if (options.KnownProxies.Contains(peer))
        {
            return true;
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

    /// <summary>The trusted proxies and networks as the startup log shows them.</summary>
    public static (string Proxies, string Networks) Describe(ForwardedHeadersOptions options)
        => (string.Join(", ", options.KnownProxies), string.Join(", ", options.KnownIPNetworks));
}
