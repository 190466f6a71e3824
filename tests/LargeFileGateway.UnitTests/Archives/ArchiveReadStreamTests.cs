using System.IO.Compression;
using LargeFileGateway.Archives;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Archives;

public sealed class ArchiveReadStreamTests
{
    private static readonly DateTimeOffset Modified = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FullRead_EveryMember_ReadOnceAndTheZipIsValid()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);

        var archive = Archive(members, storage, new MemberCrcs(store: null));
        var bytes = await ReadAsync(archive, 0, archive.Length);

        Assert.Equal(archive.Length, bytes.Length);
        Assert.All(members.Where(m => m.Length > 0), m => Assert.Equal(1, storage.Opens(m.Key)));
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        foreach (var member in members.Where(m => !m.IsDirectory))
        {
            using var read = new MemoryStream();
            await using (var entry = zip.GetEntry(member.Key["root/".Length..])!.Open())
            {
                await entry.CopyToAsync(read);
            }

            Assert.Equal(storage.Content(member.Key), read.ToArray());
        }
    }

    [Fact]
    public async Task RandomRanges_FreshCrcsEachTime_EqualTheSameOffsetsOfTheFullArchive()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        var full = await ReadAsync(Archive(members, storage, new MemberCrcs(store: null)), 0, Archive(members, storage, new MemberCrcs(null)).Length);
        var random = new Random(940);

        for (var i = 0; i < 200; i++)
        {
            // A fresh table each time: ranges start inside members, and after members, whose CRC nobody computed.
            var first = random.NextInt64(full.Length);
            var length = 1 + random.NextInt64(full.Length - first);
            var part = await ReadAsync(Archive(members, storage, new MemberCrcs(store: null)), first, length);

            Assert.Equal(full.AsSpan((int)first, (int)length).ToArray(), part);
        }
    }

    [Fact]
    public async Task RangeInTheCentralDirectory_CrcsRemembered_ReadsNoMember()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        var crcs = new MemberCrcs(store: null);
        var whole = Archive(members, storage, crcs);
        var full = await ReadAsync(whole, 0, whole.Length);
        storage.ResetCounts();

        var tail = await ReadAsync(Archive(members, storage, crcs), whole.Layout.CentralDirectoryOffset, whole.Length - whole.Layout.CentralDirectoryOffset);

        Assert.Equal(full.AsSpan((int)whole.Layout.CentralDirectoryOffset).ToArray(), tail);
        Assert.All(members, m => Assert.Equal(0, storage.Opens(m.Key)));
    }

    [Fact]
    public async Task MemberReplacedAfterTheListing_ReadThrowsStorageObjectChanged()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        var archive = Archive(members, storage, new MemberCrcs(store: null));
        storage.Put("root/sub/b.bin", new byte[300_000], "\"other\"");

        await Assert.ThrowsAsync<StorageObjectChangedException>(() => ReadAsync(archive, 0, archive.Length));
    }

    [Fact]
    public async Task FullRead_MemberReplacedUnderTheSameValidator_DescriptorHasTheCrcOfTheBytesSent()
    {
        // A local ETag is length and mtime: a copy that keeps both (cp -p, tar x, a reproducible build's fixed
        // mtime) is the "same version" with other bytes. A remembered CRC then made every later full download a zip
        // whose member fails its CRC check; a member read from its first byte must carry the CRC of what was read.
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        var crcs = new MemberCrcs(store: null);
        var first = Archive(members, storage, crcs);
        await ReadAsync(first, 0, first.Length);
        var other = new byte[300_000];
        new Random(8).NextBytes(other);
        storage.Put("root/sub/b.bin", other, "\"b\"");

        var again = await ReadAsync(Archive(members, storage, crcs), 0, first.Length);
        var fresh = await ReadAsync(Archive(members, storage, new MemberCrcs(store: null)), 0, first.Length);

        Assert.Equal(fresh, again);
    }

    [Fact]
    public async Task MemberTableOnDisk_FullReadAndRandomRanges_SameBytesAndETagAsInMemory()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        using var inMemory = Archive(members, storage, new MemberCrcs(store: null));
        var full = await ReadAsync(inMemory, 0, inMemory.Length);
        var random = new Random(941);

        using var spilled = Archive(members, storage, new MemberCrcs(store: null), memoryLimit: 64);
        Assert.True(spilled.Layout.Spilled);
        Assert.Equal(inMemory.ETag, spilled.ETag);
        Assert.Equal(full, await ReadAsync(spilled, 0, spilled.Length));
        for (var i = 0; i < 100; i++)
        {
            var first = random.NextInt64(full.Length);
            var length = 1 + random.NextInt64(full.Length - first);
            using var fresh = Archive(members, storage, new MemberCrcs(store: null), memoryLimit: 64);

            Assert.Equal(full.AsSpan((int)first, (int)length).ToArray(), await ReadAsync(fresh, first, length));
        }
    }

    [Fact]
    public async Task SharedTable_OtherBytesUnderTheSameValidator_SecondReaderAborts_FirstKeepsItsDescriptorAndCentralCrcEqual()
    {
        var storage = new MemoryStorage();
        var members = Arrange(storage);
        var layout = ZipLayout.Of(members, "root/".Length);
        var a = new ArchiveRepresentation("root/", layout, storage, new MemberCrcs(store: null), NullLogger.Instance);
        var b = new ArchiveRepresentation("root/", layout, storage, new MemberCrcs(store: null), NullLogger.Instance);
        var full = new byte[a.Length];
        await using (var stream = await a.OpenReadAsync(0, a.Length, CancellationToken.None))
        {
            var at = 0;
            while (at < layout.CentralDirectoryOffset)
            {
                at += await stream.ReadAsync(full.AsMemory(at, (int)Math.Min(65_536, layout.CentralDirectoryOffset - at)));
            }

            // Same validator, other bytes (cp -p): another request sharing the table streams b.bin from its first byte,
            // hashes other bytes than the first did, and is cut off rather than disagree with it.
            var other = new byte[300_000];
            new Random(8).NextBytes(other);
            storage.Put("root/sub/b.bin", other, "\"b\"");
            await Assert.ThrowsAsync<StorageObjectChangedException>(() => ReadAsync(b, layout.DataOffset(2), 300_000 + layout.DescriptorLength(2)));

            while (at < full.Length)
            {
                at += await stream.ReadAsync(full.AsMemory(at, Math.Min(65_536, full.Length - at)));
            }
        }

        var descriptorCrc = BitConverter.ToUInt32(full, (int)(layout.DataOffset(2) + 300_000 + 4));
        var central = layout.CentralDirectoryOffset + layout.CentralHeaderLength(0) + layout.CentralHeaderLength(1);
        Assert.Equal(descriptorCrc, BitConverter.ToUInt32(full, (int)central + 16));
    }

    private static ArchiveMember[] Arrange(MemoryStorage storage)
    {
        var random = new Random(7);
        var a = new byte[200_001];
        var b = new byte[300_000];
        random.NextBytes(a);
        random.NextBytes(b);
        storage.Put("root/a.bin", a, "\"a\"");
        storage.Put("root/sub/b.bin", b, "\"b\"");
        storage.Put("root/zero", [], "\"z\"");
        storage.Put("root/x.txt", "x"u8.ToArray(), "\"x\"");
        return
        [
            new("root/a.bin", a.Length, Modified, new EntityTagHeaderValue("\"a\"")),
            new("root/empty/", 0, Modified, null),
            new("root/sub/b.bin", b.Length, Modified, new EntityTagHeaderValue("\"b\"")),
            new("root/x.txt", 1, Modified, new EntityTagHeaderValue("\"x\"")),
            new("root/zero", 0, Modified, new EntityTagHeaderValue("\"z\"")),
        ];
    }

    private static ArchiveRepresentation Archive(ArchiveMember[] members, MemoryStorage storage, MemberCrcs crcs, int memoryLimit = 1 << 20)
        => new("root/", ZipLayout.Of(members, "root/".Length, memoryLimit), storage, crcs, NullLogger.Instance);

    private static async Task<byte[]> ReadAsync(ArchiveRepresentation archive, long offset, long length)
    {
        await using var stream = await archive.OpenReadAsync(offset, length, CancellationToken.None);
        var bytes = new byte[length];
        var buffer = new byte[65_536];
        var at = 0;
        int read;
        while (at < length && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - at)))) > 0)
        {
            buffer.AsSpan(0, read).CopyTo(bytes.AsSpan(at));
            at += read;
        }

        Assert.Equal(length, at);
        return bytes;
    }

    /// <summary>Files in memory, each read pinned to its ETag, counting opens.</summary>
    private sealed class MemoryStorage : IStorageProvider
    {
        private readonly Dictionary<string, (byte[] Content, EntityTagHeaderValue ETag)> _files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _opens = new(StringComparer.Ordinal);

        public void Put(string key, byte[] content, string etag) => _files[key] = (content, new EntityTagHeaderValue(etag));

        public byte[] Content(string key) => _files[key].Content;

        public int Opens(string key) => _opens.GetValueOrDefault(key);

        public void ResetCounts() => _opens.Clear();

        public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
            => ValueTask.FromResult(_files.TryGetValue(key, out var file) ? new FileMetadata(key, file.Content.Length, Modified, file.ETag) : null);

        public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
        {
            _opens[file.Key] = Opens(file.Key) + 1;
            if (!_files.TryGetValue(file.Key, out var stored) || !stored.ETag.Compare(file.ETag, useStrongComparison: true))
            {
                throw new StorageObjectChangedException("changed");
            }

            return ValueTask.FromResult<Stream>(new MemoryStream(stored.Content, (int)offset, (int)length, writable: false));
        }
    }
}
