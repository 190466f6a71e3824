namespace LargeFileGateway.Storage;

/// <summary>
/// The body of one ranged read from a remote backend, held to what the provider asked for: exactly
/// <c>length</c> bytes, each read answered within the attempt timeout. A connection that drops, stalls or ends
/// early surfaces as <see cref="IOException"/>, which the chunk copier answers by reopening at its offset.
/// </summary>
internal sealed class RemoteReadStream : Stream
{
    private readonly Stream _body;
    private readonly IDisposable _owner;
    private readonly TimeSpan _readTimeout;
    private long _remaining;

    /// <param name="body">The response body.</param>
    /// <param name="owner">What must be disposed with the body (the HTTP or SDK response).</param>
    /// <param name="length">Bytes the body must deliver.</param>
    /// <param name="readTimeout">Longest wait for the next bytes.</param>
    public RemoteReadStream(Stream body, IDisposable owner, long length, TimeSpan readTimeout)
    {
        _body = body;
        _owner = owner;
        _remaining = length;
        _readTimeout = readTimeout;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_readTimeout);
        int read;
        try
        {
            read = await _body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The storage backend stopped sending the body.", ex);
        }
        catch (Exception ex) when (ex is not IOException and not OperationCanceledException)
        {
            throw new IOException("Reading the body from the storage backend failed.", ex);
        }

        if (read == 0)
        {
            // The backend promised more: a cut connection, not a short object (the reopen will tell which).
            throw new IOException("The storage backend ended the body early.");
        }

        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _owner.Dispose();
        }

        base.Dispose(disposing);
    }
}
