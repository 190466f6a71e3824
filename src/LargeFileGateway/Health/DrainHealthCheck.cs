using LargeFileGateway.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LargeFileGateway.Health;

/// <summary>Not ready while the instance drains, so that load balancers send new requests elsewhere at once.</summary>
internal sealed class DrainHealthCheck(DrainState drain) : IHealthCheck
{
    private static readonly Task<HealthCheckResult> s_serving = Task.FromResult(HealthCheckResult.Healthy("serving"));
    private static readonly Task<HealthCheckResult> s_draining = Task.FromResult(HealthCheckResult.Unhealthy("draining: finishing running downloads before exit"));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => drain.IsDraining ? s_draining : s_serving;
}
