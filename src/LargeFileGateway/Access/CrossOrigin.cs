using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Access;

/// <summary>
/// CORS (the Fetch standard) through the framework's middleware, for pages on the configured origins: they may send
/// the request headers of ranged and conditional reads, and read the response headers a player or a download
/// script needs (a script cannot see <c>Content-Range</c> or <c>Content-Disposition</c> unless exposed).
/// </summary>
internal static class CrossOrigin
{
    /// <summary>Request headers a page may send, beyond the safelisted ones.</summary>
    public static readonly string[] AllowedRequestHeaders =
    [
        HeaderNames.Range, HeaderNames.IfRange, HeaderNames.IfMatch, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince,
        HeaderNames.IfUnmodifiedSince, HeaderNames.Authorization,
        Digests.DigestFields.WantReprDigest, Digests.DigestFields.WantDigest,
    ];

    /// <summary>Response headers a page may read, beyond the safelisted ones.</summary>
    public static readonly string[] ExposedResponseHeaders =
    [
        HeaderNames.ContentRange, HeaderNames.ContentLength, HeaderNames.ContentDisposition, HeaderNames.ETag,
        HeaderNames.AcceptRanges, HeaderNames.LastModified,
        Digests.DigestFields.ReprDigest, Digests.DigestFields.Digest,
    ];

    public static IServiceCollection AddCrossOrigin(this IServiceCollection services)
    {
        services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrossOriginOptions>, CrossOriginOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, options) => cors.AddDefaultPolicy(policy => Build(policy, options.Value)));
        return services;
    }

    /// <summary>Adds the middleware only when origins are configured: without them no request pays for it.</summary>
    public static IApplicationBuilder UseCrossOrigin(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<CrossOriginOptions>>().Value;
        if (!options.IsEnabled)
        {
            return app;
        }

        if (options.Origins is not ["*"])
        {
            // The answer differs by Origin (Access-Control-Allow-Origin for a listed one, nothing for the rest), so a
            // cache in between must keep them apart; the framework says so only when it lists several origins.
            // Added as the headers go out, so that a response cleared and rewritten keeps it.
            app.Use((context, next) =>
            {
                context.Response.OnStarting(static state =>
                {
                    var headers = ((HttpResponse)state).Headers;
                    if (!headers.Vary.Contains(HeaderNames.Origin))
                    {
                        headers.Vary = StringValues.Concat(headers.Vary, HeaderNames.Origin);
                    }

                    return Task.CompletedTask;
                }, context.Response);
                return next(context);
            });
        }

        return app.UseCors();
    }

    private static void Build(CorsPolicyBuilder policy, CrossOriginOptions options)
    {
        if (options.Origins is ["*"])
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(options.Origins);
            if (options.AllowCredentials)
            {
                policy.AllowCredentials();
            }
        }

        policy.WithMethods(HttpMethods.Get, HttpMethods.Head)
            .WithHeaders(AllowedRequestHeaders)
            .WithExposedHeaders(ExposedResponseHeaders)
            .SetPreflightMaxAge(options.PreflightMaxAge);
    }
}
