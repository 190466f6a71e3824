using System.Buffers.Binary;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Archives;

/// <summary>
/// An archive's members as fixed-size records (offsets, length, time, CRC-32 slot) and a store of names and
/// validators, both <see cref="SpillingStore"/>s: a few hundred kilobytes in memory, the rest in a temporary file, so
/// that a request for an archive of a million files holds no more memory than one of a thousand.
/// </summary>
/// <remarks>
/// A record is 56 bytes: local header offset, central header offset (from the central directory's start), length,
/// modification time (UTC ticks), where the name starts in the name store, name and validator byte counts, the CRC-32
/// and whether it is known, and whether the member is a folder. The name store holds each zip name in UTF-8, then
/// the validator's text.
/// </remarks>
internal sealed class MemberTable : IDisposable
{
    private const int RecordBytes = 56;
    private const int CrcAt = 44;
    private const byte NoCrc = 0;
    private const byte RememberedCrc = 1;
    private const byte HashedCrc = 2;

    private readonly SpillingStore _records;
    private readonly SpillingStore _names;

    // Requests sharing the table record CRCs while others read them: a slot is read and written whole.
    private readonly Lock _crcGate = new();

    public MemberTable(int memoryLimit, string folder)
    {
        _records = new SpillingStore(memoryLimit, folder);
        _names = new SpillingStore(memoryLimit, folder);
    }

    public bool Spilled => _records.Spilled || _names.Spilled;

    public void Add(ReadOnlySpan<char> name, EntityTagHeaderValue? etag, long length, DateTimeOffset modified, bool isDirectory, long localOffset, long centralOffset)
    {
        var etagText = etag?.ToString() ?? string.Empty;
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        var etagBytes = Encoding.UTF8.GetByteCount(etagText);
        if (nameBytes > ushort.MaxValue || etagBytes > ushort.MaxValue)
        {
            throw new ArgumentException("A zip name or validator longer than 65,535 bytes.", nameof(name));
        }

        Span<byte> record = stackalloc byte[RecordBytes];
        record.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(record, localOffset);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], centralOffset);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], length);
        BinaryPrimitives.WriteInt64LittleEndian(record[24..], modified.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(record[32..], _names.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(record[40..], (ushort)nameBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(record[42..], (ushort)etagBytes);
        record[49] = isDirectory ? (byte)1 : (byte)0;
        _records.Append(record);

        var text = nameBytes + etagBytes <= 1024 ? stackalloc byte[nameBytes + etagBytes] : new byte[nameBytes + etagBytes];
        Encoding.UTF8.GetBytes(name, text);
        Encoding.UTF8.GetBytes(etagText, text[nameBytes..]);
        _names.Append(text);
    }

    public void Seal()
    {
        _records.Seal();
        _names.Seal();
    }

    public Slot Read(int entry)
    {
        Span<byte> record = stackalloc byte[RecordBytes];
        _records.Read((long)entry * RecordBytes, record);
        return new Slot(
            entry,
            LocalOffset: BinaryPrimitives.ReadInt64LittleEndian(record),
            CentralOffset: BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
            Length: BinaryPrimitives.ReadInt64LittleEndian(record[16..]),
            ModifiedTicks: BinaryPrimitives.ReadInt64LittleEndian(record[24..]),
            NameOffset: BinaryPrimitives.ReadInt64LittleEndian(record[32..]),
            NameBytes: BinaryPrimitives.ReadUInt16LittleEndian(record[40..]),
            ETagBytes: BinaryPrimitives.ReadUInt16LittleEndian(record[42..]),
            IsDirectory: record[49] != 0);
    }

    /// <summary>Copies the zip name's UTF-8 bytes of <paramref name="slot"/> to <paramref name="destination"/>; returns their count.</summary>
    public int CopyName(Slot slot, Span<byte> destination)
    {
        _names.Read(slot.NameOffset, destination[..slot.NameBytes]);
        return slot.NameBytes;
    }

    public string Name(Slot slot) => Text(slot.NameOffset, slot.NameBytes);

    public EntityTagHeaderValue? ETagOf(Slot slot)
        => slot.ETagBytes == 0 ? null : EntityTagHeaderValue.Parse(Text(slot.NameOffset + slot.NameBytes, slot.ETagBytes));

    public bool TryGetCrc(int entry, out uint crc32)
    {
        Span<byte> slot = stackalloc byte[5];
        lock (_crcGate)
        {
            _records.Read(((long)entry * RecordBytes) + CrcAt, slot);
        }

        crc32 = BinaryPrimitives.ReadUInt32LittleEndian(slot);
        return slot[4] != NoCrc;
    }

    /// <summary>
    /// Records a CRC-32 for <paramref name="entry"/>. The first CRC hashed from the member's bytes wins: a later one that
    /// differs (other bytes under the same validator, read by another request sharing the table) is refused with false,
    /// and nothing changes. A hashed CRC replaces a remembered one; a remembered one never replaces anything.
    /// </summary>
    public bool TrySetCrc(int entry, uint crc32, bool hashed)
    {
        var at = ((long)entry * RecordBytes) + CrcAt;
        Span<byte> slot = stackalloc byte[5];
        lock (_crcGate)
        {
            _records.Read(at, slot);
            var existing = slot[4];
            if (!hashed && existing != NoCrc)
            {
                return true;
            }

            if (existing == HashedCrc)
            {
                return BinaryPrimitives.ReadUInt32LittleEndian(slot) == crc32;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(slot, crc32);
            slot[4] = hashed ? HashedCrc : RememberedCrc;
            _records.Write(at, slot);
            return true;
        }
    }

    public void Dispose()
    {
        _records.Dispose();
        _names.Dispose();
    }

    private string Text(long offset, int count)
    {
        if (count == 0)
        {
            return string.Empty;
        }

        var bytes = count <= 1024 ? stackalloc byte[count] : new byte[count];
        _names.Read(offset, bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>One member's record.</summary>
    internal sealed record Slot(int Index, long LocalOffset, long CentralOffset, long Length, long ModifiedTicks, long NameOffset, int NameBytes, int ETagBytes, bool IsDirectory)
    {
        public DateTimeOffset Modified => new(ModifiedTicks, TimeSpan.Zero);
    }
}
