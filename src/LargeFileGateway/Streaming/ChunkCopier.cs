using System.IO.Pipelines;
using LargeFileGateway.Http;
using LargeFileGateway.Progress;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Copies one byte range of a stored file into a <see cref="PipeWriter"/> in fixed-size chunks:
/// GetMemory → read from storage straight into it → Advance → FlushAsync. The flush waits while the client is
/// slower than storage (Kestrel's response buffer limit), so each download holds about one chunk plus that
/// buffer, whatever the file size.
/// </summary>
internal sealed class ChunkCopier
{
    private readonly IStorageProvider _storage;
    private readonly int _chunkSizeBytes;

    public ChunkCopier(IStorageProvider storage, int chunkSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSizeBytes, 1);
        _storage = storage;
        _chunkSizeBytes = chunkSizeBytes;
    }

    public int ChunkSizeBytes => _chunkSizeBytes;

    /// <summary>
    /// Writes <paramref name="range"/> of <paramref name="file"/> to <paramref name="writer"/>. Returns the number
    /// of bytes written, which is less than the range only when the client went away (the pipe was completed or
    /// canceled). Throws <see cref="StorageObjectChangedException"/> when storage ends before the range does:
    /// the caller must then abort the connection rather than end a short body. Each chunk written is counted on
    /// <paramref name="transfer"/> (one interlocked add) for live progress.
    /// </summary>
    public async Task<long> CopyAsync(FileMetadata file, ByteRange range, PipeWriter writer, CancellationToken cancellationToken, Transfer? transfer = null)
    {
        var position = range.First;
        var end = range.Last + 1;
        var source = await _storage.OpenReadAsync(file, position, range.Length, cancellationToken);
        await using (source)
        {
            while (position < end)
            {
                var memory = writer.GetMemory(_chunkSizeBytes);
                var wanted = (int)Math.Min(Math.Min(memory.Length, _chunkSizeBytes), end - position);
                var read = await source.ReadAsync(memory[..wanted], cancellationToken);
                if (read == 0)
                {
                    throw new StorageObjectChangedException("The file ended before its announced length.");
                }

                writer.Advance(read);
                position += read;
                transfer?.AddBytesSent(read);
                var flush = await writer.FlushAsync(cancellationToken);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    break;
                }
            }
        }

        return position - range.First;
    }
}
