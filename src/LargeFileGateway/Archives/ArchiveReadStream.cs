using System.Buffers;
using System.IO.Hashing;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Archives;

/// <summary>
/// One byte range of an archive, read front to back: headers generated from the layout, member bytes read from
/// storage pinned to each member's version, descriptors and central headers with the CRC-32s. Each read fills the
/// caller's buffer across as many runs as fit, so a folder of small files still moves in whole chunks.
/// </summary>
/// <remarks>
/// A member streamed from its first byte is hashed as it goes (its CRC is then known for its descriptor a few bytes
/// later). A range that starts inside a member whose CRC is not known reads the member's bytes before the range
/// first, to finish the hash. A CRC that is needed for a member lying wholly before the range comes from
/// <see cref="ArchiveRepresentation.CrcOfAsync"/>. A member that changed throws
/// <see cref="StorageObjectChangedException"/> from its pinned read: the request flow aborts the connection, so no
/// archive ever ends with a CRC that does not match its bytes. Memory: one header buffer and one open member.
/// </remarks>
internal sealed class ArchiveReadStream : Stream
{
    private readonly ArchiveRepresentation _archive;
    private readonly ZipLayout _layout;
    private readonly long _end;
    private byte[]? _header;
    private ZipSegment _headerSegment = new(ZipPart.End, -2, 0, 0);
    private readonly long _start;
    private long _position;
    private ZipLayout.ZipCursor _cursor;

    // The member being read: its stream, the offset in the member it has reached, and its running CRC when it was
    // read from the member's first byte.
    private Stream? _member;
    private int _memberEntry = -1;
    private long _memberOffset;
    private Crc32? _memberCrc;

    // The member this stream hashed last and its CRC: its descriptor, a few bytes on, carries the CRC of the bytes this
    // stream sent, whatever another request sharing the member table recorded meanwhile.
    private int _hashedEntry = -1;
    private uint _hashedCrc;

    public ArchiveReadStream(ArchiveRepresentation archive, long offset, long length)
    {
        _archive = archive;
        _layout = archive.Layout;
        _position = offset;
        _start = offset;
        _end = offset + length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length && _position < _end)
            {
                var segment = _layout.Locate(_position, ref _cursor);
                var wanted = (int)Math.Min(buffer.Length - total, Math.Min(_end, segment.End) - _position);
                var copied = segment.Part == ZipPart.Data
                    ? await ReadMemberAsync(segment, buffer.Slice(total, wanted), cancellationToken)
                    : await CopyHeaderAsync(segment, buffer.Slice(total, wanted), cancellationToken);
                total += copied;
                _position += copied;
            }
        }
        catch (StorageObjectChangedException)
        {
            _archive.EndSharing();
            throw;
        }

        if (_start == 0 && _position == _layout.Length && total > 0)
        {
            // The whole archive, before its last bytes leave: whoever has it and asks again gets a fresh walk. (Not a
            // read of the tail alone: zip readers that seek fetch the end first, then the rest.)
            _archive.EndSharing();
        }

        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await CloseMemberAsync();
        ReturnHeader();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _member?.Dispose();
            _member = null;
            ReturnHeader();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> CopyHeaderAsync(ZipSegment segment, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_header is null || _headerSegment != segment)
        {
            _header ??= ArrayPool<byte>.Shared.Rent(ZipLayout.MaxHeaderBytes);
            var written = segment.Part switch
            {
                ZipPart.LocalHeader => _layout.WriteLocalHeader(segment.Entry, _header),
                ZipPart.Descriptor => _layout.WriteDescriptor(segment.Entry, segment.Entry == _hashedEntry ? _hashedCrc : await _archive.CrcOfAsync(segment.Entry, cancellationToken), _header),
                ZipPart.CentralHeader => _layout.WriteCentralHeader(segment.Entry, await _archive.CrcOfAsync(segment.Entry, cancellationToken), _header),
                _ => _layout.WriteEnd(_header),
            };
            if (written != segment.Length)
            {
                throw new InvalidOperationException($"The layout announced {segment.Length} bytes of {segment.Part} and wrote {written}.");
            }

            _headerSegment = segment;
        }

        var from = (int)(_position - segment.Start);
        _header.AsMemory(from, destination.Length).CopyTo(destination);
        return destination.Length;
    }

    private async ValueTask<int> ReadMemberAsync(ZipSegment segment, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var offset = _position - segment.Start;
        if (_memberEntry != segment.Entry || _memberOffset != offset || _member is null)
        {
            await OpenMemberAsync(segment.Entry, offset, cancellationToken);
        }

        var read = await _member!.ReadAsync(destination, cancellationToken);
        if (read == 0)
        {
            throw new StorageObjectChangedException("An archive member ended before its length.");
        }

        _memberCrc?.Append(destination.Span[..read]);
        _memberOffset += read;
        if (_memberOffset == segment.Length)
        {
            FinishMember(segment.Entry);
            await CloseMemberAsync();
        }

        return read;
    }

    /// <summary>Opens member <paramref name="entry"/> so that its next byte is <paramref name="offset"/>, hashing from its first byte when its CRC is unknown.</summary>
    private async ValueTask OpenMemberAsync(int entry, long offset, CancellationToken cancellationToken)
    {
        await CloseMemberAsync();
        _memberEntry = entry;

        // From its first byte a member is always hashed, known CRC or not: the descriptor then carries the CRC of the
        // bytes sent, even when other bytes went by the same validator (a copy that kept length and mtime).
        if (offset > 0 && _archive.IsCrcKnown(entry))
        {
            _member = await _archive.OpenMemberAsync(entry, offset, cancellationToken);
            _memberOffset = offset;
            return;
        }

        _memberCrc = new Crc32();
        _member = await _archive.OpenMemberAsync(entry, 0, cancellationToken);
        _memberOffset = 0;
        if (offset == 0)
        {
            return;
        }

        // The range starts inside a member whose CRC was never computed: hash the bytes before the range too.
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (_memberOffset < offset)
            {
                var read = await _member.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset - _memberOffset)), cancellationToken);
                if (read == 0)
                {
                    throw new StorageObjectChangedException("An archive member ended before its length.");
                }

                _memberCrc.Append(buffer.AsSpan(0, read));
                _memberOffset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void FinishMember(int entry)
    {
        if (_memberCrc is not null)
        {
            (_hashedEntry, _hashedCrc) = (entry, _memberCrc.GetCurrentHashAsUInt32());
            _archive.RecordHashed(entry, _hashedCrc);
            _memberCrc = null;
        }
    }

    private async ValueTask CloseMemberAsync()
    {
        _memberCrc = null;
        if (_member is not null)
        {
            await _member.DisposeAsync();
            _member = null;
        }
    }

    private void ReturnHeader()
    {
        if (_header is not null)
        {
            ArrayPool<byte>.Shared.Return(_header);
            _header = null;
        }
    }
}
