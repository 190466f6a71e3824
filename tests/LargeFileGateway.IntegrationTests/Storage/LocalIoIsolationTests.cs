using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.Configuration;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Issue 10, reliability 1: reads stuck in storage hold their own requests and dedicated I/O threads, never the
/// thread pool, never another file's download; a stuck read becomes a timeout, and a client that leaves is let go.
/// </summary>
public sealed class LocalIoIsolationTests : IAsyncLifetime
{
    private const int StuckDownloads = 64;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempFolder _root = new("localio");
    private byte[] _other = [];
    private GatewayServer? _server;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("hung.bin"), 1 << 20, seed: 3);
        _other = TestFiles.WriteRandom(_root.Combine("other.bin"), 4 << 20, seed: 4);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _root.Dispose();
    }

    [Fact]
    public async Task Download_WhileSixtyFourReadsOfAnotherFileHang_CompletesByteExact()
    {
        var server = await StartAsync("--Gateway:Storage:Local:ReadTimeout=00:10:00");
        using var faults = new LocalReadFaults(Scheduler(server)) { HangingFile = "hung.bin" };
        using var leave = new CancellationTokenSource();
        var stuck = Enumerable.Range(0, StuckDownloads)
            .Select(_ => server.Client.GetAsync("files/hung.bin", HttpCompletionOption.ResponseHeadersRead, leave.Token))
            .ToList();
        Assert.True(await faults.WaitForHungReadsAsync(StuckDownloads, Limit), "the 64 reads of hung.bin did not reach the device");

        using var timeout = new CancellationTokenSource(Limit);
        var body = await server.Client.GetByteArrayAsync("files/other.bin", timeout.Token);

        Assert.Equal(SHA256.HashData(_other), SHA256.HashData(body));
        Assert.All(stuck, download => Assert.False(download.IsCompleted));
        await leave.CancelAsync();
        await Task.WhenAll(stuck.Select(download => download.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    [Fact]
    public async Task Get_ReadHangsBeforeTheBody_Answers504ProblemDetails()
    {
        var server = await StartAsync("--Gateway:Storage:Local:ReadTimeout=00:00:00.200");
        using var faults = new LocalReadFaults(Scheduler(server)) { HangingFile = "hung.bin" };

        using var timeout = new CancellationTokenSource(Limit);
        using var response = await server.Client.GetAsync("files/hung.bin", timeout.Token);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, faults.Faults);
    }

    [Fact]
    public async Task Get_ClientLeavesWhileReadHangs_RequestEndsThoughTheReadIsStillInTheKernel()
    {
        var server = await StartAsync("--Gateway:Storage:Local:ReadTimeout=00:10:00", "--Logging:LogLevel:LargeFileGateway.Downloads=Debug");
        var log = new CapturingLoggerProvider();
        server.Services.GetRequiredService<ILoggerFactory>().AddProvider(log);
        var scheduler = Scheduler(server);
        using var faults = new LocalReadFaults(scheduler) { HangingFile = "hung.bin" };
        using var leave = new CancellationTokenSource();
        var download = server.Client.GetAsync("files/hung.bin", HttpCompletionOption.ResponseHeadersRead, leave.Token);
        Assert.True(await faults.WaitForHungReadsAsync(1, Limit));

        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);

        Assert.True(await Eventually.TrueAsync(() => log.Entries.Any(e => e.EventId.Name == "ClientDisconnected"), Limit), "the request never ended");
        Assert.Equal(1, scheduler.ReadsOnDevice);
    }

    [Fact]
    public async Task Read_WhenStuckReadsHoldEveryIoThread_FailsAtOnceAsInstanceOverloaded()
    {
        var time = new ManualTime();
        var scheduler = new LocalReadScheduler(new LocalStorageOptions { IoThreads = 1, ReadTimeout = TimeSpan.FromSeconds(5) }, time);
        var provider = new LocalFileStorageProvider(_root.Path, scheduler, NullLogger.Instance);
        using var faults = new LocalReadFaults(scheduler) { HangingFile = "hung.bin" };
        using var hung = (await provider.OpenAsync("hung.bin", CancellationToken.None))!;
        using var other = (await provider.OpenAsync("other.bin", CancellationToken.None))!;
        await using var hungStream = await hung.OpenReadAsync(0, hung.Metadata.Length, CancellationToken.None);
        var stuck = hungStream.ReadAsync(new byte[4096]).AsTask();
        Assert.True(await faults.WaitForHungReadsAsync(1, Limit));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await Assert.ThrowsAsync<StorageUnavailableException>(() => stuck)).IsTimeout);
        scheduler.CachedRead = static (_, _, _) => LocalReadScheduler.WouldBlock;
        await using var otherStream = await other.OpenReadAsync(0, other.Metadata.Length, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<StorageUnavailableException>(() => otherStream.ReadAsync(new byte[4096]).AsTask());

        Assert.True(refused.IsInstanceOverloaded);
        Assert.Equal(1, scheduler.StuckReads);
    }

    [Fact]
    public async Task Reads_MoreThanIoThreadsOnASlowButHealthyDevice_WaitTheirTurnAndAllComplete()
    {
        // Issue 10 review: a busy disk serving more cold streams than there are threads made healthy downloads fail
        // with 503 or a reset. Two threads, eight reads held on the device until released: six wait, none fails.
        const int Reads = 8;
        var scheduler = new LocalReadScheduler(new LocalStorageOptions { IoThreads = 2, ReadTimeout = TimeSpan.FromMinutes(5) }, TimeProvider.System);
        var provider = new LocalFileStorageProvider(_root.Path, scheduler, NullLogger.Instance);
        var faults = new LocalReadFaults(scheduler) { HangingFile = "hung.bin" };
        var files = new List<OpenedFile>();
        var reads = new List<Task<(int Read, byte[] Buffer)>>();
        for (var i = 0; i < Reads; i++)
        {
            var file = (await provider.OpenAsync("hung.bin", CancellationToken.None))!;
            files.Add(file);
            var stream = await file.OpenReadAsync(i * 4096L, 4096, CancellationToken.None);
            var buffer = new byte[4096];
            reads.Add(stream.ReadAsync(buffer).AsTask().ContinueWith(t => (t.Result, buffer), TaskScheduler.Default));
        }

        Assert.True(await faults.WaitForHungReadsAsync(2, Limit));
        Assert.Equal(Reads, scheduler.ReadsOnDevice);
        Assert.All(reads, read => Assert.False(read.IsCompleted));
        faults.Dispose();
        var results = await Task.WhenAll(reads).WaitAsync(Limit);

        var expected = await File.ReadAllBytesAsync(_root.Combine("hung.bin"));
        for (var i = 0; i < Reads; i++)
        {
            Assert.Equal(4096, results[i].Read);
            Assert.Equal(expected.AsSpan(i * 4096, 4096).ToArray(), results[i].Buffer);
        }

        files.ForEach(file => file.Dispose());
    }

    [Fact]
    public async Task Read_TimedOut_LaterDeviceAnswerNeverReachesTheCallersBuffer()
    {
        var time = new ManualTime();
        var scheduler = new LocalReadScheduler(new LocalStorageOptions { ReadTimeout = TimeSpan.FromSeconds(5) }, time);
        var provider = new LocalFileStorageProvider(_root.Path, scheduler, NullLogger.Instance);
        var faults = new LocalReadFaults(scheduler) { HangingFile = "hung.bin" };
        using var hung = (await provider.OpenAsync("hung.bin", CancellationToken.None))!;
        await using var stream = await hung.OpenReadAsync(0, hung.Metadata.Length, CancellationToken.None);
        var buffer = new byte[4096];
        var read = stream.ReadAsync(buffer).AsTask();
        Assert.True(await faults.WaitForHungReadsAsync(1, Limit));

        time.Advance(TimeSpan.FromSeconds(5));
        var timedOut = await Assert.ThrowsAsync<StorageUnavailableException>(() => read);
        var resume = await Assert.ThrowsAsync<StorageUnavailableException>(() => hung.OpenReadAsync(0, 1, CancellationToken.None).AsTask());
        faults.Dispose();

        Assert.True(timedOut.IsTimeout);
        Assert.True(resume.IsTimeout);
        Assert.True(await Eventually.TrueAsync(() => scheduler.ReadsOnDevice == 0 && ((OpenedLocalFile)hung).StuckReads == 0, Limit));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Read_OfACachedFile_NeedsNoIoThread()
    {
        var scheduler = new LocalReadScheduler(new LocalStorageOptions(), TimeProvider.System);
        var deviceReads = 0;
        var deviceRead = scheduler.DeviceRead;
        scheduler.DeviceRead = (handle, buffer, offset) =>
        {
            Interlocked.Increment(ref deviceReads);
            return deviceRead(handle, buffer, offset);
        };
        var provider = new LocalFileStorageProvider(_root.Path, scheduler, NullLogger.Instance);
        using var other = (await provider.OpenAsync("other.bin", CancellationToken.None))!;
        await using var stream = await other.OpenReadAsync(0, other.Metadata.Length, CancellationToken.None);
        using var copy = new MemoryStream();

        await stream.CopyToAsync(copy, 64 * 1024);

        Assert.Equal(SHA256.HashData(_other), SHA256.HashData(copy.ToArray()));
        Assert.Equal(0, deviceReads);
    }

    [Theory]
    [InlineData("--Gateway:Storage:Local:IoThreads=0", "IoThreads")]
    [InlineData("--Gateway:Storage:Local:ReadTimeout=00:00:00", "ReadTimeout")]
    public async Task Start_LocalIoSettingOutOfRange_FailsNamingTheKey(string argument, string key)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(argument));

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }

    private async Task<GatewayServer> StartAsync(params string[] arguments)
        => _server = await GatewayServer.StartAsync(_root.Path, arguments);

    private static LocalReadScheduler Scheduler(GatewayServer server) => server.Services.GetRequiredService<LocalReadScheduler>();

    /// <summary>A clock that moves only when told, so a timeout fires exactly when the test says.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private readonly List<(ManualTimer Timer, TimeSpan Due)> _timers = [];
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new ManualTimer(this, callback, state, dueTime);

        public void Advance(TimeSpan by)
        {
            Interlocked.Add(ref _ticks, by.Ticks);
            ManualTimer[] due;
            lock (_timers)
            {
                due = [.. _timers.Where(t => t.Due.Ticks <= _ticks).Select(t => t.Timer)];
                _timers.RemoveAll(t => t.Due.Ticks <= _ticks);
            }

            foreach (var timer in due)
            {
                timer.Fire();
            }
        }

        private void Schedule(ManualTimer timer, TimeSpan dueTime)
        {
            lock (_timers)
            {
                _timers.RemoveAll(t => t.Timer == timer);
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    _timers.Add((timer, TimeSpan.FromTicks(_ticks) + dueTime));
                }
            }
        }

        private sealed class ManualTimer : ITimer
        {
            private readonly ManualTime _time;
            private readonly TimerCallback _callback;
            private readonly object? _state;

            public ManualTimer(ManualTime time, TimerCallback callback, object? state, TimeSpan dueTime)
            {
                (_time, _callback, _state) = (time, callback, state);
                time.Schedule(this, dueTime);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                _time.Schedule(this, dueTime);
                return true;
            }

            public void Fire() => _callback(_state);

            public void Dispose() => _time.Schedule(this, Timeout.InfiniteTimeSpan);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
