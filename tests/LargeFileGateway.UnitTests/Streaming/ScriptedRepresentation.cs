using LargeFileGateway.Representations;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Streaming;

/// <summary>
/// An in-memory representation whose reads fail as a test scripts them: each open is recorded with its offset, and
/// the n-th open can be made to fail after a number of bytes, to end early, or to refuse to open at all.
/// </summary>
internal sealed class ScriptedRepresentation(byte[] content) : Representation("scripted.bin", content.Length, DateTimeOffset.UnixEpoch, new EntityTagHeaderValue("\"v1\""), "application/octet-stream", "scripted.bin")
{
    private readonly Dictionary<int, Func<long, Stream>> _scripts = [];
    private int _shortReads;

    public List<(long Offset, long Length)> Opens { get; } = [];

    /// <summary>The <paramref name="open"/>-th open (1-based) yields <paramref name="bytes"/> bytes, then throws an IOException.</summary>
    public ScriptedRepresentation FailAfter(int open, int bytes)
    {
        _scripts[open] = offset => new FailingStream(content, offset, bytes, endEarly: false);
        return this;
    }

    /// <summary>The <paramref name="open"/>-th open yields <paramref name="bytes"/> bytes, then throws <paramref name="failure"/>.</summary>
    public ScriptedRepresentation ThrowAfter(int open, int bytes, Exception failure)
    {
        _scripts[open] = offset => new FailingStream(content, offset, bytes, endEarly: false, failure);
        return this;
    }

    /// <summary>Every open gives at most <paramref name="bytes"/> per read, as a remote body arriving a record at a time.</summary>
    public ScriptedRepresentation ShortReads(int bytes)
    {
        _shortReads = bytes;
        return this;
    }

    /// <summary>The <paramref name="open"/>-th open yields <paramref name="bytes"/> bytes and then ends (a truncated object).</summary>
    public ScriptedRepresentation EndAfter(int open, int bytes)
    {
        _scripts[open] = offset => new FailingStream(content, offset, bytes, endEarly: true);
        return this;
    }

    public override ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
    {
        Opens.Add((offset, length));
        var stream = _scripts.TryGetValue(Opens.Count, out var script)
            ? script(offset)
            : new MemoryStream(content, (int)offset, (int)length, writable: false);
        return ValueTask.FromResult(_shortReads > 0 ? new ShortReadStream(stream, _shortReads) : stream);
    }

    private sealed class ShortReadStream(Stream inner, int most) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, most));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => inner.ReadAsync(buffer[..Math.Min(buffer.Length, most)], cancellationToken);

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
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class FailingStream(byte[] content, long offset, int bytesBeforeFailure, bool endEarly, Exception? failure = null) : Stream
    {
        private int _delivered;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset1, int count) => Read(buffer.AsSpan(offset1, count));

        public override int Read(Span<byte> buffer)
        {
            var left = bytesBeforeFailure - _delivered;
            if (left == 0)
            {
                return endEarly ? 0 : throw failure ?? new IOException("Scripted storage failure.");
            }

            var count = Math.Min(left, buffer.Length);
            content.AsSpan((int)offset + _delivered, count).CopyTo(buffer);
            _delivered += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return ValueTask.FromResult(Read(buffer.Span));
            }
            catch (Exception ex) when (ex is IOException or LargeFileGateway.Storage.StorageUnavailableException)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset1, int count) => throw new NotSupportedException();
    }
}
