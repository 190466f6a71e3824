using System.Buffers.Binary;
using System.Collections.Concurrent;
using LargeFileGateway.Digests;

namespace LargeFileGateway.Archives;

/// <summary>
/// The CRC-32s of file versions that archives have computed, for the ranges that start after a member: a resume in
/// the central directory needs the CRC of every member before it. Kept as the named fact <c>crc32</c> of the
/// version (<see cref="FileVersion"/>: key and strong validator, so a CRC can never describe other bytes) in the
/// content-facts store when digests are on, which keeps them across restarts; and always in a bounded memory table,
/// so that archives resume cheaply when digests are off too.
/// </summary>
/// <remarks>
/// Only members of at least <see cref="PersistFromBytes"/> go to the store: each store entry is a file flushed to
/// the device, which costs more than reading a small member again, and an archive of 100,000 small files would
/// otherwise write 100,000 files. Every CRC here was computed from a read pinned to exactly its version.
/// </remarks>
internal sealed class MemberCrcs
{
    public const string FactName = "crc32";

    /// <summary>Members smaller than this keep their CRC in memory only (1 MiB).</summary>
    public const long PersistFromBytes = 1 << 20;

    /// <summary>Versions remembered in memory at most; past it the table starts over (about 100 bytes each: 20 MB).</summary>
    public const int MaxRemembered = 200_000;

    private readonly ConcurrentDictionary<FileVersion, uint> _remembered = new();
    private readonly ContentFactsStore? _store;

    /// <param name="store">The content-facts store; null when digests are off.</param>
    public MemberCrcs(ContentFactsStore? store)
    {
        _store = store;
    }

    public bool TryGet(FileVersion version, out uint crc32)
    {
        if (_remembered.TryGetValue(version, out crc32))
        {
            return true;
        }

        if (_store?.Find(version)?.Get(FactName) is { Length: 4 } stored)
        {
            crc32 = BinaryPrimitives.ReadUInt32BigEndian(stored);
            return true;
        }

        crc32 = 0;
        return false;
    }

    /// <summary>Remembers the CRC-32 of <paramref name="version"/>, computed from every byte of exactly that version.</summary>
    public void Remember(FileVersion version, long length, uint crc32)
    {
        if (_remembered.Count >= MaxRemembered)
        {
            _remembered.Clear();
        }

        _remembered[version] = crc32;
        if (_store is null || length < PersistFromBytes)
        {
            return;
        }

        var value = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, crc32);
        var existing = _store.Find(version);
        if (existing?.Get(FactName) is { } known && known.AsSpan().SequenceEqual(value))
        {
            return;
        }

        // Merged into what the digest worker knows of the version (its SHA-256), never replacing it.
        _store.Put(version, existing?.With(FactName, value)
            ?? new ContentFacts(new Dictionary<string, byte[]> { [FactName] = value }, ContentFactsSource.Computed));
    }
}
