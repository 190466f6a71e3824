using BenchmarkDotNet.Attributes;
using LargeFileGateway.Http;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage.Local;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.Benchmarks.Streaming;

/// <summary>
/// One whole-file download through the real streaming path (LocalFileStorageProvider → ChunkCopier → a PipeWriter
/// drained on another task), per file size. The Allocated column must be the same for every size: memory per
/// download is independent of the file.
/// </summary>
[MemoryDiagnoser]
public class ChunkCopierBenchmarks
{
    public const long OneMiB = 1L << 20;
    public const long OneGiB = 1L << 30;
    public const long FourGiB = 4L << 30;

    private SparseFileSet _files = null!;
    private LocalFileStorageProvider _storage = null!;
    private ChunkCopier _copier = null!;
    private StoredFile _file = null!;

    [Params(OneMiB, OneGiB, FourGiB)]
    public long FileSizeBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _files = new SparseFileSet();
        var key = _files.Create(FileSizeBytes);
        _storage = new LocalFileStorageProvider(_files.Root);
        _copier = new ChunkCopier(new Configuration.DownloadOptions().ChunkSizeBytes);
        _file = StoredFile.ThroughProvider(_storage.GetMetadataAsync(key, CancellationToken.None).AsTask().GetAwaiter().GetResult()!, _storage, "application/octet-stream", offloadable: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _files.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<long> DownloadWholeFile() => DownloadAsync(_copier, _file);

    internal static async Task<long> DownloadAsync(ChunkCopier copier, Representation file)
    {
        var pipe = new NullPipe();
        var sent = await copier.CopyAsync(file, new ByteRange(0, file.Length - 1), pipe.Writer, new BodyProgress(), CancellationToken.None);
        var consumed = await pipe.CompleteAsync();
        return sent == consumed ? sent : throw new InvalidOperationException($"Copied {sent} bytes but the reader saw {consumed}.");
    }
}
