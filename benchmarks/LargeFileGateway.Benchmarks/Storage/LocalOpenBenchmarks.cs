using BenchmarkDotNet.Attributes;
using LargeFileGateway.Benchmarks.Streaming;
using LargeFileGateway.Configuration;
using LargeFileGateway.Storage.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace LargeFileGateway.Benchmarks.Storage;

/// <summary>
/// The storage side of one random 64 KiB range request on the local provider, without HTTP: open the key (checks
/// included), read the range, close. Opened afresh every time (the baseline) or revalidated from the open-file cache
/// (<see cref="LocalStorageOptions.OpenFileCacheMaxFiles"/>); the file's pages are cached, as in the harness.
/// </summary>
[MemoryDiagnoser]
public class LocalOpenBenchmarks
{
    private const int RangeBytes = 64 * 1024;
    private const long FileBytes = 64L << 20;

    private readonly byte[] _buffer = new byte[RangeBytes];
    private SparseFileSet _files = null!;
    private LocalFileStorageProvider _uncached = null!;
    private LocalFileStorageProvider _cached = null!;
    private string _key = null!;
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _files = new SparseFileSet();
        _key = _files.Create(FileBytes);
        var options = new LocalStorageOptions();
        var scheduler = new LocalReadScheduler(options, TimeProvider.System);
        _uncached = new LocalFileStorageProvider(_files.Root, scheduler, NullLogger.Instance);
        _cached = new LocalFileStorageProvider(_files.Root, scheduler, NullLogger.Instance,
            new OpenFileCache(options.OpenFileCacheMaxFiles, options.OpenFileCacheIdleTimeout, TimeProvider.System));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cached.Dispose();
        _files.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> RangeOpenedAfresh() => ReadRangeAsync(_uncached);

    [Benchmark]
    public Task<int> RangeFromOpenFileCache() => ReadRangeAsync(_cached);

    private async Task<int> ReadRangeAsync(LocalFileStorageProvider storage)
    {
        _offset = (_offset + (7 * RangeBytes) + 4096) % (FileBytes - RangeBytes);
        using var opened = await storage.OpenAsync(_key, CancellationToken.None) ?? throw new InvalidOperationException("The file is missing.");
        await using var range = await opened.OpenReadAsync(_offset, RangeBytes, CancellationToken.None);
        return await range.ReadAsync(_buffer);
    }
}
