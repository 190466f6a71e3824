using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Digests;

/// <summary>
/// Reads one file version from start to end through its storage provider and hashes it (SHA-256, and SHA-512 when
/// asked), at most <c>ReadRate</c> bytes per second. .NET's <see cref="IncrementalHash"/> runs on OpenSSL here.
/// </summary>
internal sealed class ThrottledHasher
{
    /// <summary>1 MiB reads: large enough that a throttled read is one wait per MiB, small enough to rent.</summary>
    private const int BufferBytes = 1 << 20;

    private readonly long _readRate;
    private readonly bool _sha512;
    private readonly TimeProvider _time;

    public ThrottledHasher(long readRate, bool sha512, TimeProvider time)
    {
        _readRate = readRate;
        _sha512 = sha512;
        _time = time;
    }

    /// <summary>
    /// The facts of <paramref name="file"/>, read through <paramref name="storage"/> pinned to its version. A source
    /// that ends before <see cref="FileMetadata.Length"/> bytes throws <see cref="StorageObjectChangedException"/>.
    /// </summary>
    public async Task<ContentFacts> HashAsync(IStorageProvider storage, FileMetadata file, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha512 = _sha512 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA512) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long read = 0;
            var started = Stopwatch.GetTimestamp();
            if (file.Length > 0)
            {
                await using var stream = await storage.OpenReadAsync(file, 0, file.Length, cancellationToken);
                while (read < file.Length)
                {
                    var count = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferBytes, file.Length - read)), cancellationToken);
                    if (count == 0)
                    {
                        throw new StorageObjectChangedException("The file ended before its length while it was hashed.");
                    }

                    sha256.AppendData(buffer, 0, count);
                    sha512?.AppendData(buffer, 0, count);
                    read += count;
                    await PaceAsync(read, started, cancellationToken);
                }
            }

            var values = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [ContentFacts.Sha256] = sha256.GetHashAndReset() };
            if (sha512 is not null)
            {
                values[ContentFacts.Sha512] = sha512.GetHashAndReset();
            }

            return new ContentFacts(values, ContentFactsSource.Computed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Waits until the bytes read so far fit the rate since the start: the average never exceeds it, and a slow
    // stretch of storage is not made up for by a burst beyond one buffer.
    private async Task PaceAsync(long read, long started, CancellationToken cancellationToken)
    {
        if (_readRate <= 0)
        {
            return;
        }

        var due = TimeSpan.FromSeconds((double)read / _readRate);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (due > elapsed)
        {
            await Task.Delay(due - elapsed, _time, cancellationToken);
        }
    }
}
