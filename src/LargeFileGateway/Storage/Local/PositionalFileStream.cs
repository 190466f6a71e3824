using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Reads forward from an offset of a handle it does not own, one positional read (pread) per call straight into the
/// caller's buffer: no buffering layer, no shared file position, and disposing it leaves the handle open for the
/// other ranges of the same request.
/// </summary>
internal sealed class PositionalFileStream(SafeFileHandle handle, long offset) : Stream
{
    private long _position = offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    // A synchronous pread on the calling thread. .NET has no asynchronous file I/O on Unix: RandomAccess.ReadAsync
    // on this handle queues the same blocking pread to a thread-pool thread and resumes from there, which costs a
    // thread hop and an async state machine per chunk (2.3 MB allocated per GiB, the largest share of the gateway's
    // own allocations, benchmarks/RESULTS.md tuning item 9) and blocks a pool thread all the same.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            var read = RandomAccess.Read(handle, buffer.Span, _position);
            _position += read;
            return ValueTask.FromResult(read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = RandomAccess.Read(handle, buffer.AsSpan(offset, count), _position);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
