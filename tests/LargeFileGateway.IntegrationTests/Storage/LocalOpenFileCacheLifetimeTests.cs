using LargeFileGateway.Configuration;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// When the local provider's open-file cache (issue 16) lets a descriptor go and when it hands one out: the provider
/// itself on a real folder, with its reads made to hang where a test needs a stuck device.
/// </summary>
public sealed class LocalOpenFileCacheLifetimeTests : IDisposable
{
    private const int FileLength = 64 * 1024;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempFolder _root = new("cachelife");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly LocalReadScheduler _scheduler;
    private readonly OpenFileCache _cache;
    private readonly LocalFileStorageProvider _provider;
    private readonly string _path;
    private readonly byte[] _content;

    public LocalOpenFileCacheLifetimeTests()
    {
        _path = _root.Combine("data.bin");
        _content = TestFiles.WriteRandom(_path, FileLength, seed: 5);
        _scheduler = new LocalReadScheduler(new LocalStorageOptions { ReadTimeout = TimeSpan.FromSeconds(5) }, _time);
        _cache = new OpenFileCache(16, TimeSpan.FromMinutes(10), _time);
        _provider = new LocalFileStorageProvider(_root.Path, _scheduler, NullLogger.Instance, _cache);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Open_AnEntryTheCacheForgotWhileAnotherRequestStillReadsIt_IsNotHandedOutAgain()
    {
        // Issue 16 review, suspicion 1. A request still reading keeps the descriptor open (SafeHandle defers the
        // close), and a SafeHandle whose owner disposed it still takes new references while one is held: a request
        // that found the entry in the dictionary just before Forget took it away must not be served from it.
        using var reading = await OpenAsync();
        var found = _cache.TryTake("data.bin")!;
        found.Release();

        found.Forget();
        var taken = found.TryAddReference(_time.GetTimestamp());
        if (taken)
        {
            found.Release();
        }

        using var next = await OpenAsync();

        Assert.False(taken, "a forgotten entry took a new reference");
        Assert.NotSame(Handle(reading), Handle(next));
        Assert.Equal(_content, await ReadAllAsync(next));
        reading.Dispose();
        next.Dispose();
        _cache.Clear();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(_path, Limit));
    }

    [Fact]
    public async Task Open_AfterAReadOfTheCachedDescriptorTimedOut_OpensTheFileAfresh()
    {
        // Issue 16 review, suspicion 3: the device under a timed-out read may be stuck; the next request must not
        // queue another read on the same descriptor.
        var faults = new LocalReadFaults(_scheduler) { HangingFile = "data.bin" };
        using var stuck = await OpenAsync();
        await using var stream = await stuck.OpenReadAsync(0, FileLength, CancellationToken.None);
        var read = stream.ReadAsync(new byte[4096]).AsTask();
        Assert.True(await faults.WaitForHungReadsAsync(1, Limit), "the read did not reach the device");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await Assert.ThrowsAsync<StorageUnavailableException>(() => read)).IsTimeout);

        using var next = await OpenAsync();

        Assert.NotSame(Handle(stuck), Handle(next));
        faults.Dispose();
        Assert.Equal(_content, await ReadAllAsync(next));
        await stream.DisposeAsync();
        stuck.Dispose();
        next.Dispose();
        _cache.Clear();
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(_path, Limit));
    }

    [Fact]
    public async Task Open_ANewFileWhenTheCacheIsFull_EvictsTheLeastRecentlyUsedEntry()
    {
        // Issue 16 review, suspicion 4: a full cache left every new file uncached until the idle sweep.
        using var cache = new OpenFileCache(2, TimeSpan.FromMinutes(10), _time);
        var provider = new LocalFileStorageProvider(_root.Path, _scheduler, NullLogger.Instance, cache);
        TestFiles.WriteRandom(_root.Combine("b.bin"), FileLength, seed: 6);
        TestFiles.WriteRandom(_root.Combine("c.bin"), FileLength, seed: 7);
        foreach (var key in new[] { "data.bin", "b.bin", "data.bin" })
        {
            (await provider.OpenAsync(key, CancellationToken.None))!.Dispose();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        (await provider.OpenAsync("c.bin", CancellationToken.None))!.Dispose();

        Assert.Equal(2, cache.Count);
        Assert.Equal(0, await OpenFiles.WaitUntilClosedAsync(_root.Combine("b.bin"), Limit));
        Assert.Equal(1, OpenFiles.Count(_path));
        Assert.Equal(1, OpenFiles.Count(_root.Combine("c.bin")));
        cache.Clear();
        Assert.Equal(0, OpenFiles.CountUnder(_root.Path));
    }

    [Fact]
    public async Task Open_ANewFileWhenEveryCachedEntryIsHeld_ServesItUncachedAndEvictsNothing()
    {
        using var cache = new OpenFileCache(1, TimeSpan.FromMinutes(10), _time);
        var provider = new LocalFileStorageProvider(_root.Path, _scheduler, NullLogger.Instance, cache);
        TestFiles.WriteRandom(_root.Combine("b.bin"), FileLength, seed: 6);
        using var held = (await provider.OpenAsync("data.bin", CancellationToken.None))!;

        var other = (await provider.OpenAsync("b.bin", CancellationToken.None))!;
        other.Dispose();

        Assert.Equal(0, OpenFiles.Count(_root.Combine("b.bin")));
        held.Dispose();
        Assert.Equal(1, OpenFiles.Count(_path));
        cache.Clear();
        Assert.Equal(0, OpenFiles.Count(_path));
    }

    [Fact]
    public async Task Opens_OfMoreFilesThanTheCacheHolds_FromManyRequestsAtOnce_ReadTheirOwnBytesAndLeakNoDescriptor()
    {
        const int Files = 6;
        const int Requests = 8;
        const int OpensPerRequest = 200;
        using var cache = new OpenFileCache(2, TimeSpan.FromMinutes(10), _time);
        var provider = new LocalFileStorageProvider(_root.Path, _scheduler, NullLogger.Instance, cache);
        var contents = Enumerable.Range(0, Files).Select(i => TestFiles.WriteRandom(_root.Combine($"f{i}.bin"), 4096, seed: 10 + i)).ToArray();

        var requests = Enumerable.Range(0, Requests).Select(request => Task.Run(async () =>
        {
            var random = new Random(request);
            for (var i = 0; i < OpensPerRequest; i++)
            {
                var file = random.Next(Files);
                using var opened = (await provider.OpenAsync($"f{file}.bin", CancellationToken.None))!;
                Assert.Equal(contents[file], await ReadAllAsync(opened));
            }
        }));
        await Task.WhenAll(requests).WaitAsync(Limit);

        Assert.True(cache.Count <= 2, $"{cache.Count} entries in a cache of 2");
        Assert.True(await Eventually.TrueAsync(() => OpenFiles.CountUnder(_root.Path) == cache.Count, Limit), $"{OpenFiles.CountUnder(_root.Path)} descriptors open");
        cache.Clear();
        Assert.Equal(0, OpenFiles.CountUnder(_root.Path));
    }

    private async Task<OpenedFile> OpenAsync(string key = "data.bin")
        => await _provider.OpenAsync(key, CancellationToken.None) ?? throw new InvalidOperationException(key + " did not open");

    private static SafeFileHandle Handle(OpenedFile file) => ((OpenedLocalFile)file).Handle;

    private static async Task<byte[]> ReadAllAsync(OpenedFile file)
    {
        await using var stream = await file.OpenReadAsync(0, file.Metadata.Length, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
