using System.Runtime.CompilerServices;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Reads forward from an offset of an open local file, one positional read per call straight into the caller's buffer:
/// no buffering layer, no shared file position. Disposing it leaves the file open for the other ranges of the same
/// request, unless the stream was opened on its own (<c>ownsFile</c>). The read that reaches <c>end</c> first checks
/// that the file was not written to meanwhile (<see cref="OpenedLocalFile.EnsureUnchanged"/>).
/// </summary>
internal sealed class PositionalFileStream(OpenedLocalFile file, long offset, long end, bool ownsFile) : Stream
{
    private long _position = offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    // A cached chunk completes synchronously (LocalReadScheduler's fast path): no state machine, no allocation.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var pending = file.ReadAsync(buffer, _position, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            try
            {
                return ValueTask.FromResult(Advance(pending.Result));
            }
            catch (StorageObjectChangedException ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        return AwaitReadAsync(pending);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous callers accept blocking; the read still goes through the scheduler's bound and timeout.
    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsFile)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReadAsync(ValueTask<int> pending)
    {
        return Advance(await pending.ConfigureAwait(false));
    }

    private int Advance(int read)
    {
        var reachedEnd = read > 0 && _position < end && _position + read >= end;
        _position += read;
        if (reachedEnd)
        {
            file.EnsureUnchanged();
        }

        return read;
    }
}
