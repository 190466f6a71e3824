using LargeFileGateway.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Health;

/// <summary>
/// <c>/healthz</c> (liveness: the process serves requests; it runs no check) and <c>/readyz</c> (readiness: storage
/// answers its probe and the instance is not draining), on the framework's health checks.
/// </summary>
/// <remarks>
/// Both are open to anyone, apart from the access policy of <c>/files</c>: they are not file keys and their plain
/// answer reveals nothing but "Healthy" or "Unhealthy". The details (provider, error) are for the callers
/// <see cref="HealthOptions.Details"/> allows.
/// </remarks>
internal static class HealthEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, OperationsOptionsValidator>();

        // Singletons, so that the storage check's cached probe outlives a request.
        services.AddSingleton<StorageHealthCheck>();
        services.AddSingleton<DrainHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<DrainHealthCheck>("drain", tags: [ReadyTag]);
        return services;
    }

    public static void MapGatewayHealth(this WebApplication app)
    {
        var writer = new HealthResponseWriter(app.Services.GetRequiredService<IOptions<HealthOptions>>().Value.Details);
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = static _ => false, ResponseWriter = writer.WriteAsync });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = static check => check.Tags.Contains(ReadyTag), ResponseWriter = writer.WriteAsync });
    }
}
