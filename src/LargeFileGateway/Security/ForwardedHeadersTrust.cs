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

    /// <summary>The trusted proxies and networks as the startup log shows them.</summary>
    public static (string Proxies, string Networks) Describe(ForwardedHeadersOptions options)
        => (string.Join(", ", options.KnownProxies), string.Join(", ", options.KnownIPNetworks));
}
