using LargeFileGateway.Configuration;
using LargeFileGateway.Resilience;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.UnitTests.Resilience;

/// <summary>
/// The pipeline on a clock the test moves: backoff delays, attempt timeouts and the breaker's break all pass in fake
/// time, so nothing here waits for real.
/// </summary>
public sealed class StoragePipelineTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_TransientFailures_RetriesWithGrowingFakeTimeBetweenAttemptsThenSucceeds()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(200), BreakerMinimumThroughput = 100 });
        var attempts = new List<DateTimeOffset>();

        var result = await DriveAsync(pipeline.ExecuteAsync(_ =>
        {
            attempts.Add(_time.GetUtcNow());
            return attempts.Count <= 3 ? throw new IOException("reset") : ValueTask.FromResult(42);
        }, CancellationToken.None));

        Assert.Equal(42, result);
        Assert.Equal(4, attempts.Count);
        Assert.All(attempts.Zip(attempts.Skip(1)), pair => Assert.True(pair.Second > pair.First, "each retry waits its backoff on the pipeline's clock"));
    }

    [Fact]
    public async Task ExecuteAsync_TransientFailuresOutlastRetries_ThrowsStorageUnavailableAfterEveryAttempt()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 2, BreakerMinimumThroughput = 100 });
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => DriveAsync(pipeline.ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new IOException("reset");
        }, CancellationToken.None)));

        Assert.Equal(3, attempts);
        Assert.False(ex.IsTimeout);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.NotNull(ex.RetryAfter);
    }

    [Fact]
    public async Task ExecuteAsync_AttemptHangs_TimesOutPerAttemptAsIsTimeout()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 1, AttemptTimeout = TimeSpan.FromSeconds(2), BreakerMinimumThroughput = 100 });
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => DriveAsync(pipeline.ExecuteAsync(async token =>
        {
            attempts++;
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return 0;
        }, CancellationToken.None)));

        Assert.True(ex.IsTimeout);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task ExecuteAsync_BreakerOpen_FailsAtOnceWithRetryAfterOfTheRestOfTheBreak()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 0, BreakerMinimumThroughput = 2, BreakerFailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(15) });
        var attempts = 0;
        ValueTask<int> Failing(CancellationToken token)
        {
            attempts++;
            throw new IOException("reset");
        }

        // No retries and no hanging attempt: nothing waits on the clock, so it moves only where the test says.
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await pipeline.ExecuteAsync(Failing, CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await pipeline.ExecuteAsync(Failing, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));
        var open = await Assert.ThrowsAsync<StorageUnavailableException>(async () => await pipeline.ExecuteAsync(Failing, CancellationToken.None));

        Assert.Equal(2, attempts);
        Assert.False(open.IsTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), open.RetryAfter);
    }

    [Fact]
    public async Task ExecuteAsync_AfterBreakDuration_LetsAProbeThroughAndCloses()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 0, BreakerMinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(15) });
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => DriveAsync(pipeline.ExecuteAsync<int>(_ => throw new IOException("reset"), CancellationToken.None)));
        }

        _time.Advance(TimeSpan.FromSeconds(16));
        var probe = await DriveAsync(pipeline.ExecuteAsync(_ => ValueTask.FromResult(1), CancellationToken.None));
        var next = await DriveAsync(pipeline.ExecuteAsync(_ => ValueTask.FromResult(2), CancellationToken.None));

        Assert.Equal(1, probe);
        Assert.Equal(2, next);
    }

    [Fact]
    public async Task ExecuteAsync_NonTransientFailure_PassesThroughUnchangedWithoutRetryOrBreakerTrip()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 3, BreakerMinimumThroughput = 2 });
        var changed = new StorageObjectChangedException("changed");
        var attempts = 0;

        for (var i = 0; i < 5; i++)
        {
            var ex = await Assert.ThrowsAsync<StorageObjectChangedException>(() => DriveAsync(pipeline.ExecuteAsync<int>(_ =>
            {
                attempts++;
                throw changed;
            }, CancellationToken.None)));
            Assert.Same(changed, ex);
        }

        var after = await DriveAsync(pipeline.ExecuteAsync(_ => ValueTask.FromResult(7), CancellationToken.None));

        Assert.Equal(5, attempts);
        Assert.Equal(7, after);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ThrowsOperationCanceledWithoutRetryOrBreakerTrip()
    {
        var pipeline = Create(new ResilienceOptions { MaxRetryAttempts = 3, BreakerMinimumThroughput = 2 });
        var attempts = 0;

        for (var i = 0; i < 3; i++)
        {
            using var client = new CancellationTokenSource();
            var call = pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return 0;
            }, client.Token);
            await client.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await call);
        }

        var after = await DriveAsync(pipeline.ExecuteAsync(_ => ValueTask.FromResult(9), CancellationToken.None));

        Assert.Equal(3, attempts);
        Assert.Equal(9, after);
    }

    private StoragePipeline Create(ResilienceOptions options)
        => new("Test", options, static e => e is IOException, NullLoggerFactory.Instance, _time);

    /// <summary>
    /// Moves the fake clock in small steps until the call ends. The pipeline's continuations run on the thread pool,
    /// so a timer may be set only after some steps; the bound is therefore on real time (10 s), not on steps.
    /// </summary>
    private async Task<T> DriveAsync<T>(ValueTask<T> call)
    {
        var task = call.AsTask();
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted && limit.Elapsed < TimeSpan.FromSeconds(10))
        {
            _time.Advance(Step);
            await Task.Yield();
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(1));
    }
}
