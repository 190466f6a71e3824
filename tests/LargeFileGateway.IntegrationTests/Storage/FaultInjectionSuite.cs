using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// A flaky backend, made real by a TCP fault proxy between the gateway and the S3 server or HTTP origin: cuts
/// mid-body, objects replaced mid-download, a backend that is down and comes back, a backend that stalls.
/// </summary>
public abstract class FaultInjectionSuite : IAsyncLifetime
{
    private const string Key = "big/archive.bin";

    private readonly StorageServersFixture _servers;
    private readonly BackendKind _kind;
    private StorageBackend _backend = null!;
    private FaultProxy _proxy = null!;

    protected FaultInjectionSuite(StorageServersFixture servers, BackendKind kind)
    {
        _servers = servers;
        _kind = kind;
    }

    public async Task InitializeAsync()
    {
        _backend = await StorageBackend.CreateAsync(_kind, _servers);
        _proxy = FaultProxy.Start(_backend.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Download_Across20InjectedCuts_IsByteExactAndCountsEachResume()
    {
        var bytes = Seeded(8 * 1024 * 1024, seed: 5);
        await _backend.PutAsync(Key, bytes);
        await using var gateway = await StartGatewayAsync();
        using var resumes = new ResumeCounter(gateway);
        _proxy.CutConnectionsAfter(256 * 1024, times: 20);

        using var response = await gateway.Client.GetAsync("files/" + Key, HttpCompletionOption.ResponseHeadersRead);
        var (sha256, length) = await TestFiles.Sha256Async(await response.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes.Length, length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha256);
        Assert.Equal(20, _proxy.CutsDone);
        Assert.Equal(20, resumes.Total);
    }

    [Fact]
    public async Task Download_ObjectReplacedMidDownload_AbortsClientConnection()
    {
        var original = Seeded(8 * 1024 * 1024, seed: 6);
        await _backend.PutAsync(Key, original);
        await using var gateway = await StartGatewayAsync();
        _proxy.PauseAfter(2 * 1024 * 1024);

        using var response = await gateway.Client.GetAsync("files/" + Key, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        await _proxy.Paused.WaitAsync(TimeSpan.FromSeconds(30));
        await _backend.ReplaceAsync(Key, Seeded(original.Length, seed: 7));
        _proxy.CutActiveConnections();
        _proxy.Release();
        var read = await ReadUntilFailureAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(read.Failure);
        Assert.True(read.Length < original.Length, $"read {read.Length} of {original.Length} bytes");
        Assert.Equal(original[..(int)read.Length], read.Bytes);
    }

    [Fact]
    public async Task Download_BackendCutsEveryConnection_AbortsAfterResumeBudget()
    {
        var bytes = Seeded(2 * 1024 * 1024, seed: 8);
        await _backend.PutAsync(Key, bytes);
        await using var gateway = await StartGatewayAsync("--Gateway:Storage:Resilience:MaxResumesPerRange=3");
        _proxy.CutConnectionsAfter(128 * 1024, times: 1000);

        using var response = await gateway.Client.GetAsync("files/" + Key, HttpCompletionOption.ResponseHeadersRead);
        var read = await ReadUntilFailureAsync(await response.Content.ReadAsStreamAsync());

        Assert.NotNull(read.Failure);
        Assert.True(read.Length < bytes.Length, $"read {read.Length} of {bytes.Length} bytes");
        Assert.Equal(bytes[..(int)read.Length], read.Bytes);
        Assert.Equal(4, _proxy.CutsDone);
    }

    [Fact]
    public async Task Get_BackendDown_Returns503WithRetryAfterFromOpenCircuit_AndRecovers()
    {
        var bytes = Seeded(100_000, seed: 9);
        await _backend.PutAsync(Key, bytes);

        // The breaker runs on a clock the test moves: Retry-After is exact, and the break passes without a real wait.
        // No retries, so that no backoff waits on that clock either.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await _backend.StartGatewayOnClockAsync(time, _proxy.Port, null,
            "--Gateway:Storage:Resilience:MaxRetryAttempts=0",
            "--Gateway:Storage:Resilience:BreakerMinimumThroughput=2",
            "--Gateway:Storage:Resilience:BreakDuration=00:00:03",
            "--Gateway:Storage:Resilience:MetadataCacheTtl=00:00:00");
        using (var healthy = await gateway.Client.GetAsync("files/" + Key))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        // The healthy GET made two calls that succeeded (metadata, read); two failed lookups reach the 0.5 ratio.
        _proxy.Refuse();
        using var first = await gateway.Client.GetAsync("files/" + Key);
        using var second = await gateway.Client.GetAsync("files/" + Key);
        using var open = await gateway.Client.GetAsync("files/" + Key);
        time.Advance(TimeSpan.FromSeconds(1));
        using var later = await gateway.Client.GetAsync("files/" + Key);
        _proxy.Accept();
        time.Advance(TimeSpan.FromSeconds(2));
        using var recovered = await gateway.Client.GetAsync("files/" + Key);

        // A call that tried and failed says 1 s; only an open circuit answers with the rest of its break.
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1), (first.StatusCode, RetryAfterSeconds(first)));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1), (second.StatusCode, RetryAfterSeconds(second)));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 3), (open.StatusCode, RetryAfterSeconds(open)));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 2), (later.StatusCode, RetryAfterSeconds(later)));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(bytes, await recovered.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_BackendStallsOnce_AttemptTimesOutAndRetrySucceeds()
    {
        var bytes = Seeded(100_000, seed: 10);
        await _backend.PutAsync(Key, bytes);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await _backend.StartGatewayOnClockAsync(time, _proxy.Port,
            app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs),
            "--Gateway:Storage:Resilience:AttemptTimeout=00:00:05", "--Gateway:Storage:Resilience:RetryBaseDelay=00:00:00.010");
        _proxy.DelayFirstResponseBytes(TimeSpan.FromSeconds(60), times: 1);

        // The attempt timeout and the backoff run on the test's clock: each passes when the test moves it, once the
        // gateway is known to wait on it (the backend's answer is held back; the retry is logged with its delay).
        var download = gateway.Client.GetAsync("files/" + Key);
        Assert.True(await Eventually.TrueAsync(() => _proxy.DelaysStarted == 1, TimeSpan.FromSeconds(30)), "the backend's answer was never held back");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await Eventually.TrueAsync(() => logs.Entries.Any(e => e.EventId.Name == "StorageRetry"), TimeSpan.FromSeconds(30)), "the stalled attempt never timed out");
        var retry = logs.Entries.First(e => e.EventId.Name == "StorageRetry");

        // The retry is logged before its backoff's timer is set: a clock moved once, at the log line, could pass
        // before that timer starts (its thread preempted in between), and the timer would then never fire. So the
        // clock moves by the backoff until the retry has reached the backend (its own connection to the proxy),
        // bounded: the moves that come after the one the timer sees are far from the retry's 5 s attempt timeout.
        var backoff = TimeSpan.FromMilliseconds((double)retry.Values["DelayMs"]! + 1);
        var moves = 0;
        var retried = await Eventually.TrueAsync(() =>
        {
            if (_proxy.ConnectionsAccepted < 2 && moves < 100)
            {
                moves++;
                time.Advance(backoff);
            }

            return _proxy.ConnectionsAccepted >= 2;
        }, TimeSpan.FromSeconds(30));
        Assert.True(retried, "the retry never reached the backend after its backoff");
        using var response = await download.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, _proxy.ConnectionsAccepted);
        Assert.Single(logs.Entries, e => e.EventId.Name == "StorageRetry");
    }

    [Fact]
    public async Task Get_ObjectReplacedWhileMetadataCached_NeverServesOldValidatorWithNewBytes()
    {
        var original = Seeded(50_000, seed: 11);
        var replacement = Seeded(50_000, seed: 12);
        await _backend.PutAsync(Key, original);
        await using var gateway = await StartGatewayAsync("--Gateway:Storage:Resilience:MetadataCacheTtl=00:01:00");
        using var before = await gateway.Client.GetAsync("files/" + Key);
        Assert.Equal(original, await before.Content.ReadAsByteArrayAsync());

        await _backend.ReplaceAsync(Key, replacement);
        using var after = await gateway.Client.GetAsync("files/" + Key);

        // The cached entry names the old version; the pinned read refuses the new bytes under it and drops the entry,
        // and the gateway looks the object up once more before its first byte: the new version with its own ETag.
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(replacement, await after.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    private Task<GatewayServer> StartGatewayAsync(params string[] extraArgs) => _backend.StartGatewayAsync(_proxy.Port, extraArgs);

    private static byte[] Seeded(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static int RetryAfterSeconds(HttpResponseMessage response)
        => int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);

    /// <summary>Reads a body until it ends or fails; an aborted connection is what the client must see.</summary>
    private static async Task<(long Length, byte[] Bytes, Exception? Failure)> ReadUntilFailureAsync(Stream body)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return (received.Length, received.ToArray(), ex);
        }

        return (received.Length, received.ToArray(), null);
    }

    /// <summary>Sums gateway.storage.resumes of one gateway instance (other gateways in the process have their own meter).</summary>
    private sealed class ResumeCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public ResumeCounter(GatewayServer gateway)
        {
            var factory = gateway.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "gateway.storage.resumes" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}

[Collection(StorageServersGroup.Name)]
public sealed class S3FaultInjectionTests(StorageServersFixture servers) : FaultInjectionSuite(servers, BackendKind.S3);

[Collection(StorageServersGroup.Name)]
public sealed class HttpOriginFaultInjectionTests(StorageServersFixture servers) : FaultInjectionSuite(servers, BackendKind.HttpOrigin);

/// <summary>The same cases on a real S3 engine (Ceph RGW, versioned bucket), where If-Match and version ids are honoured.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class S3OnRgwFaultInjectionTests(StorageServersFixture servers) : FaultInjectionSuite(servers, BackendKind.S3OnRgw);
