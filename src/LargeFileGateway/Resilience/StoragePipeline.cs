using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace LargeFileGateway.Resilience;

/// <summary>
/// The one resilience pipeline of a remote storage provider: retry (exponential backoff with jitter) around a
/// circuit breaker around a timeout per attempt. It wraps storage calls only (a metadata lookup, opening a read),
/// never a whole request, and turns every failure it gives up on into <see cref="StorageUnavailableException"/>.
/// </summary>
/// <remarks>
/// The breaker sits inside the retry so that each attempt counts, and a <see cref="BrokenCircuitException"/> is
/// not transient: once the backend is known dead, a request fails at once with 503 and Retry-After instead of
/// waiting out its retries (the pile-up a breaker exists to prevent). "Not found" is a value, not an exception,
/// so it never counts as a failure.
/// </remarks>
internal sealed class StoragePipeline
{
    private readonly ResiliencePipeline _pipeline;
    private readonly Func<Exception, bool> _isTransient;
    private readonly TimeSpan _retryAfterHint;

    /// <param name="providerName">Provider name for logs and Polly telemetry.</param>
    /// <param name="options">Retry, breaker and timeout settings.</param>
    /// <param name="isTransient">True for failures worth another attempt (connection reset, 5xx, throttling).</param>
    /// <param name="loggerFactory">For the retry and breaker log lines.</param>
    /// <param name="time">The clock Polly waits on.</param>
    public StoragePipeline(string providerName, ResilienceOptions options, Func<Exception, bool> isTransient, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _isTransient = isTransient;
        _retryAfterHint = options.BreakDuration;
        var logger = loggerFactory.CreateLogger<StoragePipeline>();
        var shouldHandle = new PredicateBuilder().Handle<TimeoutRejectedException>().Handle<Exception>(isTransient);
        var builder = new ResiliencePipelineBuilder { Name = providerName, TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = shouldHandle,
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.StorageRetry(logger, providerName, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = shouldHandle,
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                OnOpened = args =>
                {
                    Log.StorageCircuitOpened(logger, providerName, args.BreakDuration.TotalMilliseconds, args.Outcome.Exception);
                    return default;
                },
                OnClosed = _ =>
                {
                    Log.StorageCircuitClosed(logger, providerName);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)

            // Polly's metrics (the "Polly" meter: attempts, retries, breaker events) without its log lines: the
            // retry and breaker lines above already say it once, in the gateway's own words and EventIds.
            .ConfigureTelemetry(new TelemetryOptions { LoggerFactory = NullLoggerFactory.Instance });
        _pipeline = builder.Build();
    }

    /// <summary>
    /// Runs one storage call. Its own exceptions pass through unchanged when they are not transient (say,
    /// <see cref="StorageObjectChangedException"/>); transient ones that outlast the retries, timeouts and an open
    /// circuit all become <see cref="StorageUnavailableException"/>.
    /// </summary>
    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(static (call, token) => call(token), call, cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            throw new StorageUnavailableException("The storage backend is failing; the circuit is open.", ex) { RetryAfter = ex.RetryAfter ?? _retryAfterHint };
        }
        catch (TimeoutRejectedException ex)
        {
            throw new StorageUnavailableException("The storage backend did not answer in time.", ex) { IsTimeout = true, RetryAfter = TimeSpan.FromSeconds(1) };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException && _isTransient(ex))
        {
            throw new StorageUnavailableException("The storage backend failed.", ex) { RetryAfter = TimeSpan.FromSeconds(1) };
        }
    }
}
