using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>Sets <see cref="ProxiedRequestFeature"/> on every request, for Program.cs.</summary>
internal static class ProxiedRequestDetection
{
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
                var peer = context.Connection.RemoteIpAddress;
                context.Features.Set(new ProxiedRequestFeature(peer is not null && ForwardedHeadersTrust.IsTrusted(trust, peer)));
                return next(context);
            };
        });
    }
}
