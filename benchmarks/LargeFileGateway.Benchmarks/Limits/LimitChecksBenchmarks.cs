using System.Diagnostics.Metrics;
using System.Net;
using BenchmarkDotNet.Attributes;
using LargeFileGateway.Configuration;
using LargeFileGateway.Limits;
using LargeFileGateway.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Benchmarks.Limits;

/// <summary>
/// What the fair-use limits cost one 64 KiB range when every limit is configured and none is hit (issue 12): the
/// limit steps of a request (ConnectionLimits: requests per minute, download slots per client and in total; then
/// DownloadRates: the throttle, with both byte rates at 1 TiB/s and RateAfterBytes = 1, so the chunk asks both
/// buckets) against the same steps with every limit off. In process, one thread, so that it is the CPU of the checks
/// alone; the harness's random-ranges run gives the CPU of a whole request to compare it with.
/// </summary>
[MemoryDiagnoser]
public class LimitChecksBenchmarks
{
    /// <remarks>
    /// 4 KiB, not 64: a bucket holds at most int.MaxValue tokens and the partitioned limiter refills every 100 ms, so
    /// "1 TiB/s" is really 21 GB/s, which a loop asking 64 KiB at a time would drain (and then measure waits). One
    /// range asks each bucket once whatever its size, so the cost per range is the same.
    /// </remarks>
    private const int RangeBytes = 4 * 1024;

    private const string Client = "ip:127.0.0.1";

    private readonly System.Threading.RateLimiting.PartitionedRateLimiter<string> _clientBuckets = System.Threading.RateLimiting.PartitionedRateLimiter.Create<string, string>(
        client => System.Threading.RateLimiting.RateLimitPartition.Get(client, _ => new System.Threading.RateLimiting.TokenBucketRateLimiter(ByteRateBuckets.Options(1L << 40, refilledByElapsedTime: true))));

    private ServiceProvider _services = null!;
    private ConnectionLimits _capsOff = null!;
    private DownloadRates _ratesOff = null!;
    private ConnectionLimits _capsOn = null!;
    private DownloadRates _ratesOn = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), Options.Create(new StorageOptions()));
        var off = Options.Create(new LimitsOptions());
        var on = Options.Create(new LimitsOptions
        {
            RatePerDownload = 1L << 40,
            RateAfterBytes = 1,
            RatePerClient = 1L << 40,
            DownloadsPerClient = 100_000,
            Downloads = 1_000_000,
            RequestsPerClientPerMinute = 100_000_000,
            MinClientRate = 1,
            MinClientRateGrace = TimeSpan.FromDays(1),
        });
        _capsOff = new ConnectionLimits(off, metrics, NullLogger<ConnectionLimits>.Instance);
        _ratesOff = new DownloadRates(off, NullLogger<DownloadRates>.Instance, metrics);
        _capsOn = new ConnectionLimits(on, metrics, NullLogger<ConnectionLimits>.Instance);
        _ratesOn = new DownloadRates(on, NullLogger<DownloadRates>.Instance, metrics);
        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.Connection.RemoteIpAddress = IPAddress.Loopback;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _capsOn.Dispose();
        _ratesOn.Dispose();
        _capsOff.Dispose();
        _ratesOff.Dispose();
        _clientBuckets.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ValueTask LimitsOff() => OneRangeAsync(_capsOff, _ratesOff);

    [Benchmark]
    public ValueTask EveryLimitConfiguredNoneHit() => OneRangeAsync(_capsOn, _ratesOn);

    /// <summary>The caps alone (requests per minute, slots), the byte rates off.</summary>
    [Benchmark]
    public ValueTask CapsOnly() => OneRangeAsync(_capsOn, _ratesOff);

    /// <summary>The byte rates alone (the throttle of one range, two buckets), the caps off.</summary>
    [Benchmark]
    public ValueTask RatesOnly() => OneRangeAsync(_capsOff, _ratesOn);

    /// <summary>A client bucket asked with AttemptAcquire (the throttle's fast path)...</summary>
    [Benchmark]
    public void ClientBucketAttemptAcquire()
    {
        using var lease = _clientBuckets.AttemptAcquire(Client, RangeBytes);
    }

    /// <summary>... and with AcquireAsync, completed at once: what every chunk paid before the fast path.</summary>
    [Benchmark]
    public async ValueTask ClientBucketAcquireAsync()
    {
        using var lease = await _clientBuckets.AcquireAsync(Client, RangeBytes);
    }

    private async ValueTask OneRangeAsync(ConnectionLimits caps, DownloadRates rates)
    {
        using var lease = await caps.TryAcquireAsync(_context);
        using var throttle = rates.StartThrottle(_context, "bench.bin");
        if (throttle is not null)
        {
            for (var sent = 0; sent < RangeBytes; sent += throttle.MaxChunkBytes)
            {
                await throttle.WaitAsync(Math.Min(throttle.MaxChunkBytes, RangeBytes - sent), CancellationToken.None);
            }
        }
    }
}
