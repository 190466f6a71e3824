using System.Buffers;
using System.IO.Hashing;
using LargeFileGateway.Digests;
using LargeFileGateway.Observability;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Archives;

/// <summary>
/// The zip of a folder, made on the fly: one more kind of representation, so ranges, If-Range, multipart, HEAD, the
/// throttled copier and every header work on it as on a stored file. Its length and strong ETag come from the member
/// list alone (<see cref="ZipLayout"/>); its bytes from <see cref="ArchiveReadStream"/>.
/// </summary>
/// <remarks>
/// The ETag is <see cref="ZipLayout.ETag"/>, Last-Modified the newest member's. The CRC-32s of the request live in
/// the layout's member table (a slot per member, on disk with the rest of a large table), filled as members stream,
/// from <see cref="MemberCrcs"/>, or by reading a member that lies wholly before a range. Disposing the
/// representation at the end of the request deletes the table.
/// </remarks>
internal sealed class ArchiveRepresentation : Representation
{
    public const string MediaType = "application/zip";

    private const int ReadBufferBytes = 64 * 1024;

    private readonly IStorageProvider _storage;
    private readonly MemberCrcs _remembered;
    private readonly ILogger _logger;
    private readonly SharedWalks.WalkLease? _lease;

    /// <param name="folderKey">The archived folder's key (ends in <c>/</c>).</param>
    /// <param name="layout">Where every byte of the zip lies.</param>
    /// <param name="storage">Where the members are read from.</param>
    /// <param name="remembered">CRC-32s computed by earlier requests.</param>
    /// <param name="logger">For the reads a range forces.</param>
    /// <param name="lease">The shared walk the layout belongs to, released with the representation; null when the representation owns the layout.</param>
    public ArchiveRepresentation(string folderKey, ZipLayout layout, IStorageProvider storage, MemberCrcs remembered, ILogger logger, SharedWalks.WalkLease? lease = null)
        : base(folderKey, layout.Length, layout.Newest, layout.ETag, MediaType, DownloadNameOf(folderKey))
    {
        Layout = layout;
        _storage = storage;
        _remembered = remembered;
        _logger = logger;
        _lease = lease;
    }

    public ZipLayout Layout { get; }

    /// <summary>The newest member's time stays when an older member goes or comes: If-Range needs the ETag.</summary>
    public override bool LastModifiedIsValidator => false;

    public override ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length - offset);
        return ValueTask.FromResult<Stream>(new ArchiveReadStream(this, offset, length));
    }

    /// <summary>Opens the bytes of member <paramref name="entry"/> from <paramref name="offset"/> to its end, pinned to its version.</summary>
    internal ValueTask<Stream> OpenMemberAsync(int entry, long offset, CancellationToken cancellationToken)
    {
        var member = Layout.Member(entry);
        return _storage.OpenReadAsync(member.ToMetadata(), offset, member.Length - offset, cancellationToken);
    }

    /// <summary>
    /// A member's pinned read found another version, or a read reached the archive's last byte: later requests walk
    /// the folder again rather than share this member list.
    /// </summary>
    internal void EndSharing() => _lease?.EndSharing();

    /// <summary>True when the CRC-32 of <paramref name="entry"/> is known without reading it.</summary>
    internal bool IsCrcKnown(int entry)
    {
        if (Layout.TryGetCrc(entry, out _))
        {
            return true;
        }

        var member = Layout.Member(entry);
        if (member.IsDirectory || member.Length == 0)
        {
            Layout.TrySetCrc(entry, 0, hashed: true);
            return true;
        }

        if (_remembered.TryGet(VersionOf(member), out var crc))
        {
            Layout.TrySetCrc(entry, crc, hashed: false);
            return true;
        }

        return false;
    }

    /// <summary>
    /// A CRC-32 computed from every byte of the member's pinned version, for this request, those sharing its layout,
    /// and later ones. When a request sharing the layout hashed other bytes under the same validator (a copy that kept
    /// length and mtime) the two archives would disagree: this one is aborted instead, so that no download ever ends
    /// with a central directory whose CRC is not its descriptor's.
    /// </summary>
    internal void RecordHashed(int entry, uint crc32)
    {
        if (!Layout.TrySetCrc(entry, crc32, hashed: true))
        {
            throw new StorageObjectChangedException("An archive member's bytes changed under the same validator while the archive was read.");
        }

        var member = Layout.Member(entry);
        _remembered.Remember(VersionOf(member), member.Length, crc32);
    }

    /// <summary>
    /// The CRC-32 of <paramref name="entry"/>: known, remembered, or computed by reading the whole member (a range that
    /// starts after it needs it for its descriptor or its central header). One pinned read, a 64 KiB buffer.
    /// </summary>
    internal async ValueTask<uint> CrcOfAsync(int entry, CancellationToken cancellationToken)
    {
        if (IsCrcKnown(entry) && Layout.TryGetCrc(entry, out var known))
        {
            return known;
        }

        var member = Layout.Member(entry);
        Log.ArchiveCrcRead(_logger, Key, member.Key, member.Length);
        var crc = new Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            await using var source = await OpenMemberAsync(entry, 0, cancellationToken);
            long total = 0;
            while (total < member.Length)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, member.Length - total)), cancellationToken);
                if (read == 0)
                {
                    throw new StorageObjectChangedException("An archive member ended before its length.");
                }

                crc.Append(buffer.AsSpan(0, read));
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var value = crc.GetCurrentHashAsUInt32();
        RecordHashed(entry, value);
        return value;
    }

    /// <summary>What a member's CRC is filed under: its key and strong validator.</summary>
    internal static FileVersion VersionOf(ArchiveMember member) => new(member.Key, member.ETag!.ToString());

    private static string DownloadNameOf(string folderKey)
    {
        var name = folderKey.TrimEnd('/');
        return name[(name.LastIndexOf('/') + 1)..] + ".zip";
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_lease is null)
            {
                Layout.Dispose();
            }
            else
            {
                _lease.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
