using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

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
internal sealed class ZipLayout : IDisposable
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

    private readonly string _prefix;
    private readonly MemberTable _table;
    private readonly long _centralEnd;

    private LastMember? _lastMember;

    /// <summary>The layout of <paramref name="members"/>, all in memory unless <paramref name="memoryLimit"/> says otherwise (tests).</summary>
    /// <param name="members">The members in archive order.</param>
    /// <param name="prefixLength">Characters of each key before its zip name (the archived folder's key).</param>
    /// <param name="memoryLimit">Bytes of each member table store kept in memory before it goes to a temporary file.</param>
    public static ZipLayout Of(IEnumerable<ArchiveMember> members, int prefixLength, int memoryLimit = 1 << 30)
    {
        Builder? builder = null;
        try
        {
            foreach (var member in members)
            {
                builder ??= new Builder(member.Key[..prefixLength], memoryLimit, Path.GetTempPath());
                builder.Add(member);
            }

            builder ??= new Builder(string.Empty, memoryLimit, Path.GetTempPath());
            return builder.Build();
        }
        finally
        {
            builder?.Dispose();
        }
    }

    private ZipLayout(Builder built)
    {
        _prefix = built.Prefix;
        _table = built.Table;
        Count = built.Count;
        ETag = built.ETag();
        Newest = built.Newest;
        CentralDirectoryOffset = built.Position;
        CentralDirectoryLength = built.CentralPosition;
        _centralEnd = CentralDirectoryOffset + CentralDirectoryLength;
        NeedsZip64End = Count >= Max16 || CentralDirectoryOffset >= Max32 || CentralDirectoryLength >= Max32;
        Length = _centralEnd + EndLength;
    }

    public int Count { get; }

    /// <summary>The exact length of the archive in bytes.</summary>
    public long Length { get; }

    /// <summary>
    /// The archive's strong ETag: the SHA-256 (base64url, 144 bits) of the layout version and each member's key,
    /// validator, length and time, so any change of a member (or of which members there are) is another archive.
    /// </summary>
    public EntityTagHeaderValue ETag { get; }

    /// <summary>The newest member's modification time (the epoch for an empty archive).</summary>
    public DateTimeOffset Newest { get; }

    public long CentralDirectoryOffset { get; }

    public long CentralDirectoryLength { get; }

    /// <summary>True when the archive ends with the zip64 end record and locator (APPNOTE 4.3.14-15).</summary>
    public bool NeedsZip64End { get; }

    public int EndLength => (NeedsZip64End ? Zip64EndRecord + Zip64Locator : 0) + EndRecord;

    /// <summary>True once the member table went to a temporary file (more than fits in its memory limit).</summary>
    public bool Spilled => _table.Spilled;

    /// <summary>Member <paramref name="entry"/> as the walk found it: its key, length, time and validator.</summary>
    public ArchiveMember Member(int entry)
    {
        if (_lastMember is { } last && last.Entry == entry)
        {
            return last.Member;
        }

        var slot = _table.Read(entry);
        var member = new ArchiveMember(_prefix + _table.Name(slot), slot.IsDirectory ? 0 : slot.Length, slot.Modified, _table.ETagOf(slot));
        _lastMember = new LastMember(entry, member);
        return member;
    }

    public long LocalHeaderOffset(int entry) => _table.Read(entry).LocalOffset;

    /// <summary>Where member <paramref name="entry"/>'s bytes start.</summary>
    public long DataOffset(int entry)
    {
        var slot = _table.Read(entry);
        return slot.LocalOffset + LocalHeaderLength(slot);
    }

    /// <summary>The zip name of a member: its key after the archived folder's prefix.</summary>
    public string NameOf(int entry) => _table.Name(_table.Read(entry));

    public bool HasZip64Sizes(int entry) => HasZip64Sizes(_table.Read(entry));

    public bool HasZip64Offset(int entry) => HasZip64Offset(_table.Read(entry));

    public int LocalHeaderLength(int entry) => LocalHeaderLength(_table.Read(entry));

    public int DescriptorLength(int entry) => DescriptorLength(_table.Read(entry));

    public int CentralHeaderLength(int entry) => CentralHeaderLength(_table.Read(entry));

    /// <summary>The CRC-32 recorded for <paramref name="entry"/> with <see cref="TrySetCrc"/>, if any.</summary>
    public bool TryGetCrc(int entry, out uint crc32) => _table.TryGetCrc(entry, out crc32);

    /// <summary>
    /// Records the CRC-32 of <paramref name="entry"/> for every request using this layout: <paramref name="hashed"/>
    /// when computed from the member's bytes, else remembered from an earlier request. False when a different CRC was
    /// hashed from the member's bytes already (see <see cref="MemberTable.TrySetCrc"/>).
    /// </summary>
    public bool TrySetCrc(int entry, uint crc32, bool hashed) => _table.TrySetCrc(entry, crc32, hashed);

    /// <summary>The run of bytes <paramref name="position"/> falls in; zero-length runs (an empty file's data) never contain one.</summary>
    public ZipSegment Locate(long position)
    {
        var cursor = default(ZipCursor);
        return Locate(position, ref cursor);
    }

    /// <summary>
    /// As <see cref="Locate(long)"/>, starting from where <paramref name="cursor"/> (one reader's own, so that readers
    /// sharing the layout do not move each other's) was left: reading front to back finds each next run without a
    /// search.
    /// </summary>
    public ZipSegment Locate(long position, ref ZipCursor cursor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);
        if (position >= _centralEnd)
        {
            return new ZipSegment(ZipPart.End, -1, _centralEnd, EndLength);
        }

        if (position >= CentralDirectoryOffset)
        {
            var central = Find(position, central: true, ref cursor.Central);
            return new ZipSegment(ZipPart.CentralHeader, central.Index, CentralDirectoryOffset + central.CentralOffset, CentralHeaderLength(central));
        }

        var entry = Find(position, central: false, ref cursor.Local);
        var start = entry.LocalOffset;
        var header = LocalHeaderLength(entry);
        if (position < start + header)
        {
            return new ZipSegment(ZipPart.LocalHeader, entry.Index, start, header);
        }

        var data = start + header;
        return position < data + entry.Length
            ? new ZipSegment(ZipPart.Data, entry.Index, data, entry.Length)
            : new ZipSegment(ZipPart.Descriptor, entry.Index, data + entry.Length, DescriptorLength(entry));
    }

    public void Dispose() => _table.Dispose();

    /// <summary>Writes member <paramref name="entry"/>'s local header; returns its length.</summary>
    public int WriteLocalHeader(int entry, Span<byte> destination)
    {
        var member = _table.Read(entry);
        var zip64 = HasZip64Sizes(member);
        var (time, date) = DosTime(member.Modified);
        var nameLength = member.NameBytes;
        var extraLength = TimestampExtraLocal + (zip64 ? Zip64ExtraLocal : 0);
        var size32 = zip64 ? Max32 : (uint)member.Length;
        var d = destination;
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], VersionNeeded(member));
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], member.IsDirectory ? DirectoryFlags : FileFlags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(d[14..], 0); // CRC-32: in the data descriptor (bit 3)
        BinaryPrimitives.WriteUInt32LittleEndian(d[18..], size32);
        BinaryPrimitives.WriteUInt32LittleEndian(d[22..], size32);
        BinaryPrimitives.WriteUInt16LittleEndian(d[26..], (ushort)nameLength);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], (ushort)extraLength);
        var at = LocalFixed + _table.CopyName(member, d[LocalFixed..]);
        if (zip64)
        {
            // APPNOTE 4.5.3: in a local header, the zip64 extra holds both sizes.
            BinaryPrimitives.WriteUInt16LittleEndian(d[at..], 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(d[(at + 2)..], 16);
            BinaryPrimitives.WriteInt64LittleEndian(d[(at + 4)..], member.Length);
            BinaryPrimitives.WriteInt64LittleEndian(d[(at + 12)..], member.Length);
            at += Zip64ExtraLocal;
        }

        at += WriteTimestampExtra(member.Modified, d[at..]);
        return at;
    }

    /// <summary>Writes the data descriptor of file <paramref name="entry"/> with its CRC-32; returns its length.</summary>
    public int WriteDescriptor(int entry, uint crc32, Span<byte> destination)
    {
        var member = _table.Read(entry);
        var length = member.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc32);
        if (HasZip64Sizes(member))
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
        var member = _table.Read(entry);
        var zip64Sizes = HasZip64Sizes(member);
        var zip64Offset = HasZip64Offset(member);
        var (time, date) = DosTime(member.Modified);
        var zip64Extra = Zip64CentralExtraLength(zip64Sizes, zip64Offset);
        var d = destination;
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], VersionMadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], VersionNeeded(member));
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], member.IsDirectory ? DirectoryFlags : FileFlags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], crc32);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], zip64Sizes ? Max32 : (uint)member.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], zip64Sizes ? Max32 : (uint)member.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], (ushort)member.NameBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(d[30..], (ushort)(zip64Extra + TimestampExtraCentral));
        BinaryPrimitives.WriteUInt16LittleEndian(d[32..], 0); // comment
        BinaryPrimitives.WriteUInt16LittleEndian(d[34..], 0); // disk
        BinaryPrimitives.WriteUInt16LittleEndian(d[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(d[38..], member.IsDirectory ? DirectoryAttributes : FileAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(d[42..], zip64Offset ? Max32 : (uint)member.LocalOffset);
        var at = CentralFixed + _table.CopyName(member, d[CentralFixed..]);
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
                BinaryPrimitives.WriteInt64LittleEndian(d[at..], member.LocalOffset);
                at += 8;
            }
        }

        at += WriteTimestampExtra(member.Modified, d[at..]);
        return at;
    }

    /// <summary>Writes the end of the archive (zip64 end record and locator when needed, then the end record); returns its length.</summary>
    public int WriteEnd(Span<byte> destination)
    {
        var count = (long)Count;
        var at = 0;
        var d = destination;
        if (NeedsZip64End)
        {
            var zip64End = _centralEnd;
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

    private static ushort VersionNeeded(MemberTable.Slot member) => HasZip64Sizes(member) || HasZip64Offset(member) ? (ushort)45 : (ushort)20;

    private static bool HasZip64Sizes(MemberTable.Slot member) => member.Length >= Max32;

    private static bool HasZip64Offset(MemberTable.Slot member) => member.LocalOffset >= Max32;

    private static int LocalHeaderLength(MemberTable.Slot member) => LocalHeaderLength(member.NameBytes, member.Length);

    private static int LocalHeaderLength(int nameBytes, long length)
        => LocalFixed + nameBytes + TimestampExtraLocal + (length >= Max32 ? Zip64ExtraLocal : 0);

    private static int DescriptorLength(MemberTable.Slot member) => DescriptorLength(member.IsDirectory, member.Length);

    private static int DescriptorLength(bool isDirectory, long length) => isDirectory ? 0 : length >= Max32 ? 24 : 16;

    private static int CentralHeaderLength(MemberTable.Slot member) => CentralHeaderLength(member.NameBytes, member.Length, member.LocalOffset);

    private static int CentralHeaderLength(int nameBytes, long length, long localOffset)
        => CentralFixed + nameBytes + TimestampExtraCentral + Zip64CentralExtraLength(length >= Max32, localOffset >= Max32);

    private static int Zip64CentralExtraLength(bool zip64Sizes, bool zip64Offset)
    {
        var fields = (zip64Sizes ? 2 : 0) + (zip64Offset ? 1 : 0);
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

    /// <summary>
    /// The slot whose local run (<paramref name="central"/> false: header, data, descriptor) or central header holds
    /// <paramref name="position"/>: the last one found or the one after it when reading front to back, a binary
    /// search over the table otherwise (starts strictly ascend: every header has a fixed part).
    /// </summary>
    private MemberTable.Slot Find(long position, bool central, ref MemberTable.Slot? hint)
    {
        if (hint is { } known)
        {
            if (Holds(known, position, central))
            {
                return known;
            }

            if (position >= StartOf(known, central) && known.Index + 1 < Count)
            {
                var next = _table.Read(known.Index + 1);
                if (Holds(next, position, central))
                {
                    hint = next;
                    return next;
                }
            }
        }

        int low = 0, high = Count - 1;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (StartOf(_table.Read(middle), central) <= position)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        hint = _table.Read(low);
        return hint;
    }

    private long StartOf(MemberTable.Slot slot, bool central) => central ? CentralDirectoryOffset + slot.CentralOffset : slot.LocalOffset;

    private bool Holds(MemberTable.Slot slot, long position, bool central)
    {
        var start = StartOf(slot, central);
        var length = central ? CentralHeaderLength(slot) : LocalHeaderLength(slot) + slot.Length + DescriptorLength(slot);
        return position >= start && position < start + length;
    }

    /// <summary>One reader's place in a layout (see <see cref="Locate(long, ref ZipCursor)"/>).</summary>
    internal struct ZipCursor
    {
        internal MemberTable.Slot? Local;
        internal MemberTable.Slot? Central;
    }

    /// <summary>The member <see cref="Member"/> decoded last: one object, so that a reader never sees half of one and half of another.</summary>
    private sealed record LastMember(int Entry, ArchiveMember Member);

    /// <summary>
    /// Builds a layout member by member, in archive order, as the walk finds them: each member's offsets are fixed
    /// when it is added (they depend only on the members before it), so nothing is held but the table.
    /// </summary>
    internal sealed class Builder : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly StringBuilder _line = new();
        private bool _built;

        /// <param name="prefix">The archived folder's key, which every member key starts with.</param>
        /// <param name="memoryLimit">Bytes of each of the member table's two stores kept in memory before a temporary file.</param>
        /// <param name="folder">Where that temporary file goes.</param>
        public Builder(string prefix, int memoryLimit, string folder)
        {
            Prefix = prefix;
            Table = new MemberTable(memoryLimit, folder);
            _hash.AppendData(Encoding.UTF8.GetBytes(Version + "\n"));
        }

        public string Prefix { get; }

        internal MemberTable Table { get; }

        public int Count { get; private set; }

        /// <summary>Bytes of member data so far (the caps count these).</summary>
        public long MemberBytes { get; private set; }

        public DateTimeOffset Newest { get; private set; } = DateTimeOffset.UnixEpoch;

        internal long Position { get; private set; }

        internal long CentralPosition { get; private set; }

        public void Add(ArchiveMember member)
        {
            if (_built)
            {
                throw new InvalidOperationException("The layout is built.");
            }

            if (!member.Key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new ArgumentException("A member's key starts with the archived folder's key.", nameof(member));
            }

            var name = member.Key.AsSpan(Prefix.Length);
            var nameBytes = Encoding.UTF8.GetByteCount(name);
            var length = member.IsDirectory ? 0 : member.Length;
            Table.Add(name, member.ETag, length, member.LastModified, member.IsDirectory, Position, CentralPosition);
            CentralPosition += CentralHeaderLength(nameBytes, length, Position);
            Position += LocalHeaderLength(nameBytes, length) + length + DescriptorLength(member.IsDirectory, length);
            Count++;
            MemberBytes += length;
            if (member.LastModified > Newest)
            {
                Newest = member.LastModified;
            }

            _line.Clear().Append(member.Key).Append('\0').Append(member.ETag?.ToString()).Append('\0')
                .Append(length).Append('\0').Append(member.LastModified.ToUnixTimeSeconds()).Append('\n');
            _hash.AppendData(Encoding.UTF8.GetBytes(_line.ToString()));
        }

        /// <summary>The layout of the members added; it owns the table from here on.</summary>
        public ZipLayout Build()
        {
            _built = true;
            Table.Seal();
            return new ZipLayout(this);
        }

        /// <summary>Releases the table of a layout that was never built (a walk refused by a cap).</summary>
        public void Dispose()
        {
            _hash.Dispose();
            if (!_built)
            {
                Table.Dispose();
            }
        }

        internal EntityTagHeaderValue ETag()
            => new("\"zip-" + WebEncoders.Base64UrlEncode(_hash.GetHashAndReset(), 0, 18) + "\"");
    }
}
