using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using LargeFileGateway.Digests;
using LargeFileGateway.Observability;
using LargeFileGateway.Representations;
using LargeFileGateway.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Archives;

/// <summary>
/// The zip of a folder, made on the fly: one more kind of representation, so ranges, If-Range, multipart, HEAD, the
/// throttled copier and every header work on it as on a stored file. Its length and strong ETag come from the member
/// list alone (<see cref="ZipLayout"/>); its bytes from <see cref="ArchiveReadStream"/>.
/// </summary>
/// <remarks>
/// The ETag is the SHA-256 (base64url, 144 bits) of the layout version and each member's key, validator, length
/// and time: any change of a member (or of which members there are) is another archive. Last-Modified is the newest
/// member's. The CRC-32s of the request live here (4 bytes and a flag per member), filled as members stream, from
/// <see cref="MemberCrcs"/>, or by reading a member that lies wholly before a range.
/// </remarks>
internal sealed class ArchiveRepresentation : Representation
{
    public const string MediaType = "application/zip";

    private const int ReadBufferBytes = 64 * 1024;

    private readonly IStorageProvider _storage;
    private readonly MemberCrcs _remembered;
    private readonly ILogger _logger;
    private readonly uint[] _crcs;
    private readonly bool[] _known;

    public ArchiveRepresentation(string folderKey, ZipLayout layout, IStorageProvider storage, MemberCrcs remembered, ILogger logger)
        : base(folderKey, layout.Length, NewestOf(layout), ETagOf(layout), MediaType, DownloadNameOf(folderKey))
    {
        Layout = layout;
        _storage = storage;
        _remembered = remembered;
        _logger = logger;
        _crcs = new uint[layout.Count];
        _known = new bool[layout.Count];
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

    /// <summary>True when the CRC-32 of <paramref name="entry"/> is known without reading it.</summary>
    internal bool IsCrcKnown(int entry)
    {
        if (_known[entry])
        {
            return true;
        }

        var member = Layout.Member(entry);
        if (member.IsDirectory || member.Length == 0)
        {
            Record(entry, 0, remember: false);
            return true;
        }

        if (_remembered.TryGet(VersionOf(member), out var crc))
        {
            Record(entry, crc, remember: false);
            return true;
        }

        return false;
    }

    /// <summary>A CRC-32 computed from every byte of the member's pinned version, for this request and for later ones.</summary>
    internal void Record(int entry, uint crc32, bool remember = true)
    {
        _crcs[entry] = crc32;
        _known[entry] = true;
        if (remember)
        {
            var member = Layout.Member(entry);
            _remembered.Remember(VersionOf(member), member.Length, crc32);
        }
    }

    /// <summary>
    /// The CRC-32 of <paramref name="entry"/>: known, remembered, or computed by reading the whole member (a range that
    /// starts after it needs it for its descriptor or its central header). One pinned read, a 64 KiB buffer.
    /// </summary>
    internal async ValueTask<uint> CrcOfAsync(int entry, CancellationToken cancellationToken)
    {
        if (IsCrcKnown(entry))
        {
            return _crcs[entry];
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
        Record(entry, value);
        return value;
    }

    /// <summary>What a member's CRC is filed under: its key and strong validator.</summary>
    internal static FileVersion VersionOf(ArchiveMember member) => new(member.Key, member.ETag!.ToString());

    private static string DownloadNameOf(string folderKey)
    {
        var name = folderKey.TrimEnd('/');
        return name[(name.LastIndexOf('/') + 1)..] + ".zip";
    }

    private static DateTimeOffset NewestOf(ZipLayout layout)
    {
        var newest = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < layout.Count; i++)
        {
            if (layout.Member(i).LastModified > newest)
            {
                newest = layout.Member(i).LastModified;
            }
        }

        return newest;
    }

    private static EntityTagHeaderValue ETagOf(ZipLayout layout)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(ZipLayout.Version + "\n"));
        var line = new StringBuilder();
        for (var i = 0; i < layout.Count; i++)
        {
            var member = layout.Member(i);
            line.Clear().Append(member.Key).Append('\0').Append(member.ETag?.ToString()).Append('\0')
                .Append(member.Length).Append('\0').Append(member.LastModified.ToUnixTimeSeconds()).Append('\n');
            hash.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
        }

        return new EntityTagHeaderValue("\"zip-" + WebEncoders.Base64UrlEncode(hash.GetHashAndReset(), 0, 18) + "\"");
    }
}
