using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>Sets <see cref="ProxiedRequestFeature"/> on every request, for Program.cs.</summary>
internal static class ProxiedRequestDetection
{
    private static readonly ProxiedRequestFeature Proxied = new(fromTrustedProxy: true);
    private static readonly ProxiedRequestFeature Direct = new(fromTrustedProxy: false);

    /// <summary>
    /// Must run before <c>UseForwardedHeaders</c>: once that middleware has run, the connection's address is the
    /// client's from X-Forwarded-For and no longer tells whether a proxy sent the request.
    /// </summary>
    public static IApplicationBuilder UseProxiedRequestDetection(this IApplicationBuilder app)
    {
        // The same lists the forwarded-headers middleware trusts, read once when the pipeline is built: after the
        // options were validated at start-up, so a bad list is reported with every other configuration error.
        return app.Use(next =>
        {
            var trust = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
            return context =>
            {
                // The shipped nginx config always sets X-Forwarded-For: without it, a client on a trusted address
                // (curl on the proxy's own host) is talking to the gateway directly.
                var peer = context.Connection.RemoteIpAddress;
                var proxied = peer is not null && context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName) && ForwardedHeadersTrust.IsTrusted(trust, peer);
                context.Features.Set(proxied ? Proxied : Direct);
                return next(context);
            };
        });
    }
}
