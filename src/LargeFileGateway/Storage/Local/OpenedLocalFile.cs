using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// A local file held open for one request: the handle whose real path was checked against the root serves every read
/// of the request, so there is at most one open, one real-path check and one statx per request (random 64 KiB ranges were
/// spending as much on the second open as on the read; benchmarks/RESULTS.md, "Random ranges"). Reads go through the
/// <see cref="LocalReadScheduler"/>, which keeps a hung device from holding more than this request. A file from the
/// <see cref="OpenFileCache"/> (<paramref name="cached"/>) shares the cache's descriptor and holds one reference on it.
/// </summary>
internal sealed class OpenedLocalFile(SafeFileHandle handle, FileMetadata metadata, LocalReadScheduler scheduler, string? realKey, DateTime modifiedUtc,
    CachedOpenFile? cached = null) : OpenedFile(metadata)
{
    /// <summary>Serves one request from a cached descriptor, on the reference <see cref="OpenFileCache"/> took for it.</summary>
    public OpenedLocalFile(CachedOpenFile cached, LocalReadScheduler scheduler)
        : this(cached.Handle, cached.Metadata, scheduler, cached.RealKey, cached.ModifiedUtc, cached)
    {
    }

    /// <summary>
    /// Where the opened file really is, relative to the root ('/' separators): the key itself unless a symlink inside
    /// the root led here; null when the file was unlinked after the open (nothing of that name to send). nginx is sent there, so its disable_symlinks (which refuses every link) meets no link the
    /// gateway already checked, and any link it does meet was swapped in after the check.
    /// </summary>
    public override string? RealKey { get; } = realKey;

    /// <summary>
    /// Reads of this file that timed out but are still in the kernel. While there is one, further reads (the copier
    /// resuming at the same offset) fail at once instead of taking another I/O thread to wait on the same device.
    /// </summary>
    internal int StuckReads;

    private volatile StorageUnavailableException? _failure;
    private int _disposed;

    internal SafeFileHandle Handle => handle;

    public override ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();

        // A resume after a failed read would read the same handle of the same device again: ESTALE stays stale, and a
        // stuck read stays stuck. Answer with that failure now (504 or 503 before the body, an abort after it).
        if (Volatile.Read(ref StuckReads) > 0)
        {
            throw StillStuck();
        }

        if (_failure is { } failure)
        {
            throw new StorageUnavailableException(failure.Message, failure) { RetryAfter = failure.RetryAfter };
        }

        return ValueTask.FromResult<Stream>(new PositionalFileStream(this, offset, offset + length, ownsFile: false));
    }

    internal ValueTask<int> ReadAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken)
        => scheduler.ReadAsync(this, buffer, offset, cancellationToken);

    /// <summary>
    /// Throws <see cref="StorageObjectChangedException"/> when the file's length or modification time is no longer
    /// what the request's validators were made from. An open descriptor keeps a replaced file's old bytes, but not a
    /// file rewritten in place: checked before the last bytes of each range are handed out, so a rewrite during the
    /// body becomes an aborted connection (or, before the first byte, a fresh look at the new version), never a
    /// complete-looking answer that mixes two versions under the old ETag. One statx per range.
    /// </summary>
    internal void EnsureUnchanged()
    {
        long length;
        DateTime modified;
        if (OperatingSystem.IsLinux())
        {
            if (Libc.Describe(handle, out _, out length, out modified, out _) != 0)
            {
                return;
            }
        }
        else
        {
            (length, modified) = (RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));
        }

        if (length != Metadata.Length || modified != modifiedUtc)
        {
            cached?.Forget();
            throw new StorageObjectChangedException("The file was written to while it was being read.");
        }
    }

    /// <summary>Remembers a read failure of this handle and turns it into the storage failure the copier and handler know.</summary>
    internal StorageUnavailableException Failed(Exception exception, long offset)
    {
        var errno = exception is UnauthorizedAccessException ? Errno.AccessDenied : exception.HResult;
        var failure = new StorageUnavailableException($"Reading a local file failed at offset {offset} ({Errno.Name(errno)}).", exception) { RetryAfter = LocalFileStorageProvider.RetryAfterFailure };
        _failure = failure;

        // A descriptor that failed (ESTALE stays stale) is not handed to the next request.
        cached?.Forget();
        return failure;
    }

    /// <summary>
    /// A read of this descriptor timed out: the device under it may be stuck, so the next request opens the file
    /// afresh instead of queueing another read on the same descriptor behind the stuck one.
    /// </summary>
    internal void ReadTimedOut() => cached?.Forget();

    internal static StorageUnavailableException TimedOut(TimeSpan timeout)
        => new($"A local read did not finish within {timeout}.") { IsTimeout = true };

    internal static StorageUnavailableException StillStuck()
        => new("A read of this file is still waiting for the device.") { IsTimeout = true };

    protected override void Dispose(bool disposing)
    {
        // A read stuck in the kernel holds its own reference to the handle (SafeHandle counting), so the descriptor
        // closes only when that read returns and can never be reused under it.
        // Once only: a second release of a shared descriptor would take the reference of another request.
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (cached is null)
        {
            handle.Dispose();
        }
        else
        {
            cached.Release();
        }
    }
}
