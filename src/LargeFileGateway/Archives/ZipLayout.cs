using System.Buffers.Binary;
using System.Text;

namespace LargeFileGateway.Archives;

/// <summary>
/// Where every byte of a folder's zip lies, as a pure function of its member list (names, sizes, times, order), and
/// the bytes of every header on demand. Nothing here reads storage: the CRC-32 of a file is the one value the layout
/// does not know, and it only fills fixed-size fields, so every offset, and the total length, is known before the
/// first byte is sent (an exact Content-Length, and any range anywhere).
/// </summary>
/// <remarks>
/// <para>The format (PKWARE APPNOTE 6.3.10): stored members (method 0: ranges need deterministic offsets, and large
/// files are compressed already), names in UTF-8 (general-purpose bit 11), and for files general-purpose bit 3, "data
/// descriptor": the local header carries CRC 0, and the descriptor after the member's bytes carries the CRC-32 and
/// the sizes, as does the central directory. That is what lets a full download compute each CRC while streaming the
/// member, one read per file: a CRC in the local header would need every file read once before its first byte.
/// The local header still carries the real sizes (APPNOTE 4.4.4 would have zeros), because readers that stream a
/// zip without its central directory can find the end of a stored member only from its size.</para>
/// <para>Entry times: the DOS date and time of the member's UTC modification time, and the extended-timestamp extra
/// field 0x5455 with the same instant in Unix seconds, which unzip, 7-Zip and libarchive prefer. Empty folders are
/// directory entries ("name/"); other folders are implied by their members' names.</para>
/// <para>ZIP64, decided from the list alone: a member of 0xFFFFFFFF bytes or more gets the zip64 extra field (its
/// local header with both sizes, its central header with both sizes) and a descriptor with 8-byte sizes; a member
/// whose local header starts at 0xFFFFFFFF or later gets its offset in the central header's zip64 extra; 65,535
/// members or more, or a central directory that starts or reaches past 0xFFFFFFFF, add the zip64 end record and its
/// locator.</para>
/// </remarks>
internal sealed class ZipLayout
{
    /// <summary>Changes whenever a byte of the format changes, so that an archive's ETag changes with it.</summary>
    public const string Version = "zip-layout-1";

    /// <summary>Room for the largest header: a 4,095-byte key and every extra field.</summary>
    public const int MaxHeaderBytes = CentralFixed + Security.StorageKey.MaxLengthBytes + TimestampExtraCentral + 28;

    private const uint Max32 = 0xFFFFFFFF;
    private const ushort Max16 = 0xFFFF;
    private const int LocalFixed = 30;
    private const int CentralFixed = 46;
    private const int TimestampExtraLocal = 9;
    private const int TimestampExtraCentral = 9;
    private const int Zip64ExtraLocal = 20;
    private const int EndRecord = 22;
    private const int Zip64EndRecord = 56;
    private const int Zip64Locator = 20;
    private const ushort VersionMadeBy = (3 << 8) | 45; // Unix, APPNOTE 4.5
    private const ushort FileFlags = 0x0808; // bit 3: data descriptor; bit 11: UTF-8 names
    private const ushort DirectoryFlags = 0x0800;
    private const uint FileAttributes = 0x81A4u << 16; // regular file, 0644
    private const uint DirectoryAttributes = (0x41EDu << 16) | 0x10; // directory, 0755, and the MS-DOS directory bit

    private readonly IReadOnlyList<ArchiveMember> _members;
    private readonly int _prefixLength;
    private readonly int[] _nameBytes;
    private readonly long[] _localOffsets;
    private readonly long[] _centralOffsets;

    /// <param name="members">The members in archive order.</param>
    /// <param name="prefixLength">Characters of each key before its zip name (the archived folder's key).</param>
    public ZipLayout(IReadOnlyList<ArchiveMember> members, int prefixLength)
    {
        _members = members;
        _prefixLength = prefixLength;
        var count = members.Count;
        _nameBytes = new int[count];
        _localOffsets = new long[count + 1];
        _centralOffsets = new long[count + 1];
        long position = 0;
        for (var i = 0; i < count; i++)
        {
            _nameBytes[i] = Encoding.UTF8.GetByteCount(NameOf(i));
            _localOffsets[i] = position;
            position += LocalHeaderLength(i) + members[i].Length + DescriptorLength(i);
        }

        _localOffsets[count] = position;
        _centralOffsets[0] = position;
        for (var i = 0; i < count; i++)
        {
            position += CentralHeaderLength(i);
            _centralOffsets[i + 1] = position;
        }

        NeedsZip64End = count >= Max16 || CentralDirectoryOffset >= Max32 || CentralDirectoryLength >= Max32;
        Length = position + EndLength;
    }

    public int Count => _members.Count;

    /// <summary>The exact length of the archive in bytes.</summary>
    public long Length { get; }

    public long CentralDirectoryOffset => _localOffsets[^1];

    public long CentralDirectoryLength => _centralOffsets[^1] - _centralOffsets[0];

    /// <summary>True when the archive ends with the zip64 end record and locator (APPNOTE 4.3.14-15).</summary>
    public bool NeedsZip64End { get; }

    public int EndLength => (NeedsZip64End ? Zip64EndRecord + Zip64Locator : 0) + EndRecord;

    public ArchiveMember Member(int entry) => _members[entry];

    public long LocalHeaderOffset(int entry) => _localOffsets[entry];

    /// <summary>Where member <paramref name="entry"/>'s bytes start.</summary>
    public long DataOffset(int entry) => _localOffsets[entry] + LocalHeaderLength(entry);

    /// <summary>The zip name of a member: its key after the archived folder's prefix.</summary>
    public string NameOf(int entry) => _members[entry].Key[_prefixLength..];

    public bool HasZip64Sizes(int entry) => _members[entry].Length >= Max32;

    public bool HasZip64Offset(int entry) => _localOffsets[entry] >= Max32;

    public int LocalHeaderLength(int entry)
        => LocalFixed + _nameBytes[entry] + TimestampExtraLocal + (HasZip64Sizes(entry) ? Zip64ExtraLocal : 0);

    public int DescriptorLength(int entry) => _members[entry].IsDirectory ? 0 : HasZip64Sizes(entry) ? 24 : 16;

    public int CentralHeaderLength(int entry) => CentralFixed + _nameBytes[entry] + TimestampExtraCentral + Zip64CentralExtraLength(entry);

    /// <summary>The run of bytes <paramref name="position"/> falls in; zero-length runs (an empty file's data) never contain one.</summary>
    public ZipSegment Locate(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);
        if (position >= _centralOffsets[^1])
        {
            return new ZipSegment(ZipPart.End, -1, _centralOffsets[^1], EndLength);
        }

        if (position >= CentralDirectoryOffset)
        {
            var central = FloorIndex(_centralOffsets, position);
            return new ZipSegment(ZipPart.CentralHeader, central, _centralOffsets[central], CentralHeaderLength(central));
        }

        var entry = FloorIndex(_localOffsets, position);
        var start = _localOffsets[entry];
        var header = LocalHeaderLength(entry);
        if (position < start + header)
        {
            return new ZipSegment(ZipPart.LocalHeader, entry, start, header);
        }

        var data = start + header;
        var length = _members[entry].Length;
        return position < data + length
            ? new ZipSegment(ZipPart.Data, entry, data, length)
            : new ZipSegment(ZipPart.Descriptor, entry, data + length, DescriptorLength(entry));
    }

    /// <summary>Writes member <paramref name="entry"/>'s local header; returns its length.</summary>
    public int WriteLocalHeader(int entry, Span<byte> destination)
    {
        var member = _members[entry];
        var zip64 = HasZip64Sizes(entry);
        var (time, date) = DosTime(member.LastModified);
        var nameLength = _nameBytes[entry];
        var extraLength = TimestampExtraLocal + (zip64 ? Zip64ExtraLocal : 0);
        var size32 = zip64 ? Max32 : (uint)member.Length;
        var d = destination;
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], VersionNeeded(entry));
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], member.IsDirectory ? DirectoryFlags : FileFlags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(d[14..], 0); // CRC-32: in the data descriptor (bit 3)
        BinaryPrimitives.WriteUInt32LittleEndian(d[18..], size32);
        BinaryPrimitives.WriteUInt32LittleEndian(d[22..], size32);
        BinaryPrimitives.WriteUInt16LittleEndian(d[26..], (ushort)nameLength);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], (ushort)extraLength);
        var at = LocalFixed + Encoding.UTF8.GetBytes(NameOf(entry), d[LocalFixed..]);
        if (zip64)
        {
            // APPNOTE 4.5.3: in a local header, the zip64 extra holds both sizes.
            BinaryPrimitives.WriteUInt16LittleEndian(d[at..], 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(d[(at + 2)..], 16);
            BinaryPrimitives.WriteInt64LittleEndian(d[(at + 4)..], member.Length);
            BinaryPrimitives.WriteInt64LittleEndian(d[(at + 12)..], member.Length);
            at += Zip64ExtraLocal;
        }

        at += WriteTimestampExtra(member.LastModified, d[at..]);
        return at;
    }

    /// <summary>Writes the data descriptor of file <paramref name="entry"/> with its CRC-32; returns its length.</summary>
    public int WriteDescriptor(int entry, uint crc32, Span<byte> destination)
    {
        var length = _members[entry].Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc32);
        if (HasZip64Sizes(entry))
        {
            // APPNOTE 4.3.9.2: 8-byte sizes when the local header has the zip64 extra.
            BinaryPrimitives.WriteInt64LittleEndian(destination[8..], length);
            BinaryPrimitives.WriteInt64LittleEndian(destination[16..], length);
            return 24;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)length);
        return 16;
    }

    /// <summary>Writes member <paramref name="entry"/>'s central directory header; returns its length.</summary>
    public int WriteCentralHeader(int entry, uint crc32, Span<byte> destination)
    {
        var member = _members[entry];
        var zip64Sizes = HasZip64Sizes(entry);
        var zip64Offset = HasZip64Offset(entry);
        var (time, date) = DosTime(member.LastModified);
        var zip64Extra = Zip64CentralExtraLength(entry);
        var d = destination;
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], VersionMadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], VersionNeeded(entry));
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], member.IsDirectory ? DirectoryFlags : FileFlags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], crc32);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], zip64Sizes ? Max32 : (uint)member.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], zip64Sizes ? Max32 : (uint)member.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], (ushort)_nameBytes[entry]);
        BinaryPrimitives.WriteUInt16LittleEndian(d[30..], (ushort)(zip64Extra + TimestampExtraCentral));
        BinaryPrimitives.WriteUInt16LittleEndian(d[32..], 0); // comment
        BinaryPrimitives.WriteUInt16LittleEndian(d[34..], 0); // disk
        BinaryPrimitives.WriteUInt16LittleEndian(d[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(d[38..], member.IsDirectory ? DirectoryAttributes : FileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(d[42..], zip64Offset ? Max32 : (uint)_localOffsets[entry]);
        var at = CentralFixed + Encoding.UTF8.GetBytes(NameOf(entry), d[CentralFixed..]);
        if (zip64Extra > 0)
        {
            // APPNOTE 4.5.3: only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
            BinaryPrimitives.WriteUInt16LittleEndian(d[at..], 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(d[(at + 2)..], (ushort)(zip64Extra - 4));
            at += 4;
            if (zip64Sizes)
            {
                BinaryPrimitives.WriteInt64LittleEndian(d[at..], member.Length);
                BinaryPrimitives.WriteInt64LittleEndian(d[(at + 8)..], member.Length);
                at += 16;
            }

            if (zip64Offset)
            {
                BinaryPrimitives.WriteInt64LittleEndian(d[at..], _localOffsets[entry]);
                at += 8;
            }
        }

        at += WriteTimestampExtra(member.LastModified, d[at..]);
        return at;
    }

    /// <summary>Writes the end of the archive (zip64 end record and locator when needed, then the end record); returns its length.</summary>
    public int WriteEnd(Span<byte> destination)
    {
        var count = (long)_members.Count;
        var at = 0;
        var d = destination;
        if (NeedsZip64End)
        {
            var zip64End = _centralOffsets[^1];
            BinaryPrimitives.WriteUInt32LittleEndian(d, 0x06064b50);
            BinaryPrimitives.WriteInt64LittleEndian(d[4..], Zip64EndRecord - 12);
            BinaryPrimitives.WriteUInt16LittleEndian(d[12..], VersionMadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(d[14..], 45);
            BinaryPrimitives.WriteUInt32LittleEndian(d[16..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(d[20..], 0);
            BinaryPrimitives.WriteInt64LittleEndian(d[24..], count);
            BinaryPrimitives.WriteInt64LittleEndian(d[32..], count);
            BinaryPrimitives.WriteInt64LittleEndian(d[40..], CentralDirectoryLength);
            BinaryPrimitives.WriteInt64LittleEndian(d[48..], CentralDirectoryOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(d[56..], 0x07064b50);
            BinaryPrimitives.WriteUInt32LittleEndian(d[60..], 0);
            BinaryPrimitives.WriteInt64LittleEndian(d[64..], zip64End);
            BinaryPrimitives.WriteUInt32LittleEndian(d[72..], 1);
            at = Zip64EndRecord + Zip64Locator;
        }

        var e = d[at..];
        var count16 = count >= Max16 ? Max16 : (ushort)count;
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(e[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], count16);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], count16);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], CentralDirectoryLength >= Max32 ? Max32 : (uint)CentralDirectoryLength);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], CentralDirectoryOffset >= Max32 ? Max32 : (uint)CentralDirectoryOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(e[20..], 0);
        return at + EndRecord;
    }

    /// <summary>
    /// The MS-DOS date and time of <paramref name="time"/> in UTC (what the extended timestamp says too), clamped to the
    /// years DOS dates can hold, 1980 to 2107. DOS times have a two-second resolution.
    /// </summary>
    public static (ushort Time, ushort Date) DosTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        if (utc.Year < 1980)
        {
            utc = new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        }
        else if (utc.Year > 2107)
        {
            utc = new DateTime(2107, 12, 31, 23, 59, 58, DateTimeKind.Utc);
        }

        return ((ushort)((utc.Hour << 11) | (utc.Minute << 5) | (utc.Second / 2)), (ushort)(((utc.Year - 1980) << 9) | (utc.Month << 5) | utc.Day));
    }

    /// <summary>Unix seconds for the extended timestamp, clamped to what its signed 32-bit field holds (1970 to 2038).</summary>
    public static uint UnixSeconds(DateTimeOffset time) => (uint)Math.Clamp(time.ToUnixTimeSeconds(), 0, int.MaxValue);

    private ushort VersionNeeded(int entry) => HasZip64Sizes(entry) || HasZip64Offset(entry) ? (ushort)45 : (ushort)20;

    private int Zip64CentralExtraLength(int entry)
    {
        var fields = (HasZip64Sizes(entry) ? 2 : 0) + (HasZip64Offset(entry) ? 1 : 0);
        return fields == 0 ? 0 : 4 + (8 * fields);
    }

    private static int WriteTimestampExtra(DateTimeOffset modified, Span<byte> destination)
    {
        // Extended timestamp (Info-ZIP 0x5455): flags bit 0 = modification time, then that time in Unix seconds (UTC).
        BinaryPrimitives.WriteUInt16LittleEndian(destination, 0x5455);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], 5);
        destination[4] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[5..], UnixSeconds(modified));
        return 9;
    }

    // The last index i with offsets[i] <= position; offsets strictly ascend (every header has a fixed part).
    private static int FloorIndex(long[] offsets, long position)
    {
        var index = Array.BinarySearch(offsets, position);
        return index >= 0 ? index : ~index - 1;
    }
}
