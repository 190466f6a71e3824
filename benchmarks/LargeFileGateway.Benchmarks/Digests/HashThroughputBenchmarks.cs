using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using LargeFileGateway.Benchmarks.Streaming;
using LargeFileGateway.Digests;
using LargeFileGateway.Storage;
using LargeFileGateway.Storage.Local;

namespace LargeFileGateway.Benchmarks.Digests;

/// <summary>
/// What one background digest costs (issue 14): SHA-256 and SHA-512 of 256 MiB with .NET's IncrementalHash (OpenSSL),
/// 1 MiB at a time as the worker appends, and the worker's whole path (a sparse file read through the local provider
/// and hashed, unthrottled). GiB/s = 0.25 / mean seconds.
/// </summary>
[MemoryDiagnoser]
public class HashThroughputBenchmarks
{
    private const int BufferBytes = 1 << 20;
    private const int Buffers = 256;

    private readonly byte[] _buffer = new byte[BufferBytes];
    private SparseFileSet _files = null!;
    private LocalFileStorageProvider _storage = null!;
    private FileMetadata _file = null!;
    private ThrottledHasher _hasher = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(14).NextBytes(_buffer);
        _files = new SparseFileSet();
        var key = _files.Create((long)BufferBytes * Buffers);
        _storage = new LocalFileStorageProvider(_files.Root);
        _file = _storage.GetMetadataAsync(key, CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
        _hasher = new ThrottledHasher(readRate: 0, sha512: false, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _files.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] Sha256_256MiB() => Hash(HashAlgorithmName.SHA256);

    [Benchmark]
    public byte[] Sha512_256MiB() => Hash(HashAlgorithmName.SHA512);

    [Benchmark]
    public async Task<byte[]?> WorkerPath_Sha256_256MiBSparseFile()
        => (await _hasher.HashAsync(_storage, _file, CancellationToken.None)).Get(ContentFacts.Sha256);

    private byte[] Hash(HashAlgorithmName algorithm)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        for (var i = 0; i < Buffers; i++)
        {
            hash.AppendData(_buffer);
        }

        return hash.GetHashAndReset();
    }
}
