using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Security;

/// <summary>
/// The forwarding step of the pipeline, for Program.cs: marks a request that came through a trusted proxy
/// (<see cref="ProxiedRequestFeature"/>), then lets the framework's forwarded-headers middleware replace the
/// connection's address and scheme with the proxy's <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>.
/// </summary>
internal static class ForwardedRequests
{
    private static readonly ProxiedRequestFeature Proxied = new(fromTrustedProxy: true);

    public static IApplicationBuilder UseForwardedRequests(this IApplicationBuilder app)
    {
        // The same lists the forwarded-headers middleware trusts, read once when the pipeline is built: after the
        // options were validated at start-up, so a bad list is reported with every other configuration error.
        var options = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>();
        var loggers = app.ApplicationServices.GetRequiredService<ILoggerFactory>();

        // The mark the framework's UseForwardedHeaders leaves: a later call of it adds no second instance, which
        // would apply the forwarded headers twice (past ForwardLimit).
        app.Properties["ForwardedHeadersAdded"] = true;
        return app.Use(next =>
        {
            var trust = options.Value;
            var forwarded = new ForwardedHeadersMiddleware(next, loggers, options);
            return context =>
            {
                // A request with neither header is one the framework's middleware would leave as it is (it applies
                // only what the headers say), so it goes straight on: that is every request of a gateway without a
                // proxy in front, and it spares them the middleware's header parsing and its feature look-ups
                // (benchmarks/RESULTS.md, tuning item 22). Such a request is direct, which a missing feature says.
                var headers = context.Request.Headers;
                var forwardedFor = headers.ContainsKey(trust.ForwardedForHeaderName);
                if (!forwardedFor && !headers.ContainsKey(trust.ForwardedProtoHeaderName))
                {
                    return next(context);
                }

                // Decided before the forwarded headers are applied: after that, the connection's address is the
                // client's from X-Forwarded-For and no longer tells whether a proxy sent the request. The shipped
                // nginx config always sets X-Forwarded-For: without it, a client on a trusted address (curl on the
                // proxy's own host) is talking to the gateway directly.
                var peer = context.Connection.RemoteIpAddress;
                if (forwardedFor && peer is not null && ForwardedHeadersTrust.IsTrusted(trust, peer))
                {
                    context.Features.Set(Proxied);
                }

                return forwarded.Invoke(context);
            };
        });
    }
}
