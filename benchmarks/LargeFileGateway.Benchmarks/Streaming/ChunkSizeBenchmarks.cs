using BenchmarkDotNet.Attributes;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage.Local;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.Benchmarks.Streaming;

/// <summary>
/// The chunk-size sweep: one 1 GiB download per chunk size, through the same path as
/// <see cref="ChunkCopierBenchmarks"/>. Throughput rises with the chunk while syscalls and flushes dominate;
/// memory held per slow client rises with it too (see benchmarks/RESULTS.md for the process-level side).
/// </summary>
[MemoryDiagnoser]
public class ChunkSizeBenchmarks
{
    private SparseFileSet _files = null!;
    private LocalFileStorageProvider _storage = null!;
    private ChunkCopier _copier = null!;
    private StoredFile _file = null!;

    [Params(16 * 1024, 32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024, 1024 * 1024)]
    public int ChunkSizeBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _files = new SparseFileSet();
        var key = _files.Create(ChunkCopierBenchmarks.OneGiB);
        _storage = new LocalFileStorageProvider(_files.Root);
        _copier = new ChunkCopier(ChunkSizeBytes);
        _file = StoredFile.ThroughProvider(_storage.GetMetadataAsync(key, CancellationToken.None).AsTask().GetAwaiter().GetResult()!, _storage, "application/octet-stream", offloadable: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _files.Dispose();
    }

    [Benchmark]
    public Task<long> DownloadOneGiB() => ChunkCopierBenchmarks.DownloadAsync(_copier, _file);
}
