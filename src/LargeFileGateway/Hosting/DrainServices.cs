using LargeFileGateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Hosting;

/// <summary>Registers the graceful drain (<see cref="GracefulDrain"/>) and the middleware that counts requests for it.</summary>
internal static class DrainServices
{
    public static IServiceCollection AddGracefulDrain(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        services.TryAddSingleton<DrainState>();
        services.AddSingleton<InFlightRequests>();
        services.AddHostedService<GracefulDrain>();

        // The host's own timeout would abort every connection at once; it is kept longer than the drain so that
        // the drain decides, and what it cut has a moment to close.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.HostShutdownTimeout);
        return services;
    }

    /// <summary>First in the pipeline, so that every request the drain waits for is counted until its last byte.</summary>
    public static IApplicationBuilder UseInFlightRequests(this IApplicationBuilder app)
    {
        var requests = app.ApplicationServices.GetRequiredService<InFlightRequests>();
        return app.Use(async (context, next) =>
        {
            requests.Enter(context);
            try
            {
                await next(context);
            }
            finally
            {
                requests.Leave(context);
            }
        });
    }
}
