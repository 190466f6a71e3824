using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Health;

/// <summary>
/// Readiness of storage: the provider's cheap probe (<see cref="IStorageProbe"/>) answers within the probe timeout.
/// One probe runs at a time and its result answers every readiness request for a short while, so that a flood of
/// probes (several load balancers, a misconfigured poller) costs storage one call per cache period.
/// </summary>
internal sealed class StorageHealthCheck : IHealthCheck
{
    private readonly IServiceProvider _services;
    private readonly string _provider;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _current;
    private long _currentStarted;
    private bool _lastHealthy = true;
    private IStorageProvider? _storage;

    public StorageHealthCheck(IServiceProvider services, IOptions<StorageOptions> storageOptions, IOptions<HealthOptions> options, TimeProvider time, ILogger<StorageHealthCheck> logger)
    {
        _services = services;
        _provider = storageOptions.Value.Provider.ToString();
        _timeout = options.Value.ProbeTimeout;
        _cacheDuration = options.Value.ProbeCacheDuration;
        _time = time;
        _logger = logger;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The provider is built on first use; a root that is gone by then makes it throw, which is "not ready".
        try
        {
            _storage ??= _services.GetRequiredService<IStorageProvider>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{_provider} storage cannot be opened: {ex.GetType().Name}"));
        }

        // The metadata cache wraps the remote providers; the probe belongs to the provider itself.
        if ((_storage is MetadataCachingStorageProvider cached ? cached.Inner : _storage) is not IStorageProbe storageProbe)
        {
            return Task.FromResult(HealthCheckResult.Healthy(_provider + " storage has no probe"));
        }

        Task<HealthCheckResult> probe;
        lock (_gate)
        {
            if (_current is null || (_current.IsCompleted && _time.GetElapsedTime(_currentStarted) >= _cacheDuration))
            {
                _currentStarted = _time.GetTimestamp();
                _current = ProbeAsync(storageProbe);
            }

            probe = _current;
        }

        // The probe is shared: a caller that leaves stops waiting for it, not the probe itself.
        return probe.WaitAsync(cancellationToken);
    }

    private async Task<HealthCheckResult> ProbeAsync(IStorageProbe probe)
    {
        string? failure;
        using var timeout = new CancellationTokenSource(_timeout, _time);
        try
        {
            // WaitAsync as well as the token: a provider blocked in the kernel (a dead share) cannot see the token.
            failure = await probe.ProbeAsync(timeout.Token).AsTask().WaitAsync(_timeout, _time);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            failure = $"no answer within {_timeout.TotalSeconds:0.###} s";
        }
        catch (StorageUnavailableException ex)
        {
            failure = ex.Message;
        }

        var healthy = failure is null;
        if (healthy != _lastHealthy)
        {
            _lastHealthy = healthy;
            if (healthy)
            {
                Log.StorageProbeRecovered(_logger, _provider);
            }
            else
            {
                Log.StorageProbeFailed(_logger, _provider, failure!);
            }
        }

        return healthy
            ? HealthCheckResult.Healthy(_provider + " storage answers")
            : HealthCheckResult.Unhealthy($"{_provider} storage: {failure}");
    }
}
