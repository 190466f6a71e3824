using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using LargeFileGateway.Archives;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Archives;

public sealed class ZipLayoutTests
{
    private const long Max32 = 0xFFFFFFFF;
    private static readonly DateTimeOffset Modified = new(2024, 2, 29, 13, 45, 31, TimeSpan.Zero);

    [Fact]
    public void Locate_EveryRun_FollowsTheLastWithoutGapsUpToLength()
    {
        var layout = ZipLayout.Of([File("d/a.txt", 5), File("d/zero", 0), Folder("d/empty/"), File("d/中文.txt", 70_000)], "d/".Length);

        var position = 0L;
        var parts = new List<ZipPart>();
        while (position < layout.Length)
        {
            var segment = layout.Locate(position);
            Assert.Equal(position, segment.Start);
            Assert.True(segment.Length > 0);
            Assert.Equal(segment, layout.Locate(segment.End - 1));
            parts.Add(segment.Part);
            position = segment.End;
        }

        Assert.Equal(layout.Length, position);
        Assert.Equal(
            [ZipPart.LocalHeader, ZipPart.Data, ZipPart.Descriptor, ZipPart.LocalHeader, ZipPart.Descriptor, ZipPart.LocalHeader,
             ZipPart.LocalHeader, ZipPart.Data, ZipPart.Descriptor, ZipPart.CentralHeader, ZipPart.CentralHeader, ZipPart.CentralHeader,
             ZipPart.CentralHeader, ZipPart.End],
            parts);
    }

    [Theory]
    [InlineData(0L, false)]
    [InlineData(Max32 - 1, false)]
    [InlineData(Max32, true)]
    [InlineData(Max32 + 1, true)]
    [InlineData(5L << 30, true)]
    public void Member_SizeAtTheZip64Edge_GetsZip64FieldsExactlyFromFourGiBMinusOne(long length, bool zip64)
    {
        var layout = ZipLayout.Of([File("big.bin", length)], 0);

        Assert.Equal(zip64, layout.HasZip64Sizes(0));
        Assert.Equal(zip64 ? 24 : 16, layout.DescriptorLength(0));
        Assert.Equal(30 + 7 + 9 + (zip64 ? 20 : 0), layout.LocalHeaderLength(0));
        Assert.Equal(46 + 7 + 9 + (zip64 ? 20 : 0), layout.CentralHeaderLength(0));

        var central = new byte[ZipLayout.MaxHeaderBytes];
        Assert.Equal(layout.CentralHeaderLength(0), layout.WriteCentralHeader(0, 0x12345678, central));
        Assert.Equal(zip64 ? Max32 : (uint)length, BinaryPrimitives.ReadUInt32LittleEndian(central.AsSpan(20)));
        Assert.Equal(zip64 ? Max32 : (uint)length, BinaryPrimitives.ReadUInt32LittleEndian(central.AsSpan(24)));
        Assert.Equal(0x12345678u, BinaryPrimitives.ReadUInt32LittleEndian(central.AsSpan(16)));
        if (zip64)
        {
            var extra = central.AsSpan(46 + 7);
            Assert.Equal(0x0001, BinaryPrimitives.ReadUInt16LittleEndian(extra));
            Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]));
            Assert.Equal(length, BinaryPrimitives.ReadInt64LittleEndian(extra[4..]));
            Assert.Equal(length, BinaryPrimitives.ReadInt64LittleEndian(extra[12..]));
        }

        var descriptor = new byte[24];
        Assert.Equal(layout.DescriptorLength(0), layout.WriteDescriptor(0, 0xCAFEBABE, descriptor));
        Assert.Equal(0x08074b50u, BinaryPrimitives.ReadUInt32LittleEndian(descriptor));
        Assert.Equal(0xCAFEBABEu, BinaryPrimitives.ReadUInt32LittleEndian(descriptor.AsSpan(4)));
    }

    [Theory]
    [InlineData(Max32 - 1, false)]
    [InlineData(Max32, true)]
    [InlineData(Max32 + 1, true)]
    public void SecondMember_LocalHeaderAtTheZip64Edge_GetsItsOffsetInTheZip64Extra(long offset, bool zip64)
    {
        // The first member ("a", under 4 GiB) takes 30 + 1 + 9 header bytes and a 16-byte descriptor.
        var layout = ZipLayout.Of([File("a", offset - 56), File("b", 3)], 0);

        Assert.Equal(offset, layout.LocalHeaderOffset(1));
        Assert.Equal(zip64, layout.HasZip64Offset(1));
        Assert.False(layout.HasZip64Sizes(1));
        var central = new byte[ZipLayout.MaxHeaderBytes];
        var written = layout.WriteCentralHeader(1, 0, central);
        Assert.Equal(zip64 ? Max32 : (uint)offset, BinaryPrimitives.ReadUInt32LittleEndian(central.AsSpan(42)));
        Assert.Equal(46 + 1 + 9 + (zip64 ? 12 : 0), written);
        if (zip64)
        {
            Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(central.AsSpan(46 + 1 + 2)));
            Assert.Equal(offset, BinaryPrimitives.ReadInt64LittleEndian(central.AsSpan(46 + 1 + 4)));
        }

        // The central directory starts past 4 GiB in all three: the zip64 end record is there either way.
        Assert.True(layout.NeedsZip64End);
    }

    [Theory]
    [InlineData(65_534, false)]
    [InlineData(65_535, true)]
    [InlineData(70_000, true)]
    public void EntryCount_AtTheZip64Edge_AddsTheZip64EndFrom65535(int count, bool zip64)
    {
        var members = Enumerable.Range(0, count).Select(i => File($"f{i:D6}", 1)).ToArray();

        var layout = ZipLayout.Of(members, 0);

        Assert.Equal(zip64, layout.NeedsZip64End);
        var end = new byte[layout.EndLength];
        Assert.Equal(end.Length, layout.WriteEnd(end));
        var record = end.AsSpan(end.Length - 22);
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(record));
        Assert.Equal(zip64 ? 0xFFFF : count, BinaryPrimitives.ReadUInt16LittleEndian(record[10..]));
        if (zip64)
        {
            Assert.Equal(0x06064b50u, BinaryPrimitives.ReadUInt32LittleEndian(end));
            Assert.Equal(count, BinaryPrimitives.ReadInt64LittleEndian(end.AsSpan(32)));
            Assert.Equal(0x07064b50u, BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(56)));
            Assert.Equal(layout.CentralDirectoryOffset + layout.CentralDirectoryLength, BinaryPrimitives.ReadInt64LittleEndian(end.AsSpan(64)));
        }
    }

    [Fact]
    public void NoMembers_TheEndRecordAlone_AnEmptyZip()
    {
        var layout = ZipLayout.Of([], "empty/".Length);

        using var zip = new ZipArchive(new LayoutStream(layout, [], (_, _, _) => { }), ZipArchiveMode.Read);

        Assert.Equal(22, layout.Length);
        Assert.Empty(zip.Entries);
    }

    [Fact]
    public void SameMembers_TwoLayouts_SameLengthAndSameBytes()
    {
        ArchiveMember[] members = [File("x/1", 10), Folder("x/e/"), File("x/2", 20)];

        var first = ZipLayout.Of(members, 2);
        var second = ZipLayout.Of(members.ToArray(), 2);

        Assert.Equal(first.Length, second.Length);
        Assert.Equal(Bytes(first, _ => 0, [1, 0, 2]), Bytes(second, _ => 0, [1, 0, 2]));
    }

    [Theory]
    [InlineData(2024, 2, 29, 13, 45, 31, 0x6DAF, 0x585D)]
    [InlineData(1980, 1, 1, 0, 0, 0, 0x0000, 0x0021)]
    [InlineData(1970, 1, 1, 0, 0, 0, 0x0000, 0x0021)]
    [InlineData(2107, 12, 31, 23, 59, 59, 0xBF7D, 0xFF9F)]
    public void DosTime_UtcTime_PacksTwoSecondFieldsAndClampsToDosYears(int year, int month, int day, int hour, int minute, int second, int time, int date)
    {
        var (dosTime, dosDate) = ZipLayout.DosTime(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero));

        Assert.Equal(time, dosTime);
        Assert.Equal(date, dosDate);
    }

    [Fact]
    public void Archive_ReadByDotNetZipArchive_HasEveryNameSizeCrcTimeAndByte()
    {
        var contents = new Dictionary<string, byte[]>
        {
            ["top/a.txt"] = Encoding.UTF8.GetBytes("hello"),
            ["top/zero"] = [],
            ["top/中文/报告.txt"] = Encoding.UTF8.GetBytes("你好"),
            ["top/sub/random.bin"] = RandomBytes(100_000),
        };
        ArchiveMember[] members = [File("top/a.txt", 5), Folder("top/empty/"), File("top/sub/random.bin", 100_000), File("top/zero", 0), File("top/中文/报告.txt", 6)];
        var layout = ZipLayout.Of(members, "top/".Length);
        var crcs = members.Select(m => m.IsDirectory ? 0u : Crc32.HashToUInt32(contents[m.Key])).ToArray();

        using var zip = new ZipArchive(new LayoutStream(layout, crcs, (entry, offset, span) => contents[members[entry].Key].AsSpan((int)offset, span.Length).CopyTo(span)), ZipArchiveMode.Read);

        Assert.Equal(["a.txt", "empty/", "sub/random.bin", "zero", "中文/报告.txt"], zip.Entries.Select(e => e.FullName));
        foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
        {
            var expected = contents["top/" + entry.FullName];
            using var read = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(read);
            }

            Assert.Equal(expected, read.ToArray());
            Assert.Equal(Crc32.HashToUInt32(expected), entry.Crc32);
            // The DOS fields hold the UTC wall clock, to two seconds; .NET reads them without the extended timestamp.
            Assert.Equal(new DateTime(2024, 2, 29, 13, 45, 30), entry.LastWriteTime.DateTime);
        }
    }

    [Fact]
    public void Archive_MemberOverFourGiBThenSmallOne_DotNetZipArchiveFindsBothThroughZip64()
    {
        const long BigLength = (9L << 30) / 2;
        ArchiveMember[] members = [File("big.bin", BigLength), File("small.txt", 5)];
        var layout = ZipLayout.Of(members, 0);
        var small = Encoding.UTF8.GetBytes("after");

        using var zip = new ZipArchive(new LayoutStream(layout, [0xDEADBEEF, Crc32.HashToUInt32(small)], (entry, offset, span) =>
        {
            if (entry == 1)
            {
                small.AsSpan((int)offset, span.Length).CopyTo(span);
            }
            else
            {
                span.Clear();
            }
        }), ZipArchiveMode.Read);

        Assert.Equal(BigLength, zip.GetEntry("big.bin")!.Length);
        Assert.Equal(0xDEADBEEF, zip.GetEntry("big.bin")!.Crc32);
        using var reader = new StreamReader(zip.GetEntry("small.txt")!.Open());
        Assert.Equal("after", reader.ReadToEnd());
        Assert.True(layout.HasZip64Offset(1));
    }

    [Fact]
    public void Archive_SeventyThousandEntries_DotNetZipArchiveCountsThemAll()
    {
        var members = Enumerable.Range(0, 70_000).Select(i => File($"many/{i:D6}.txt", 1)).ToArray();
        var layout = ZipLayout.Of(members, "many/".Length);
        var crc = Crc32.HashToUInt32("x"u8);

        using var zip = new ZipArchive(new LayoutStream(layout, Enumerable.Repeat(crc, members.Length).ToArray(), (_, _, span) => span.Fill((byte)'x')), ZipArchiveMode.Read);

        Assert.Equal(70_000, zip.Entries.Count);
        Assert.Equal("069999.txt", zip.Entries[^1].FullName);
    }

    [Fact]
    public void Layout_TableOnDiskOrInMemory_SameOffsetsHeadersAndETag()
    {
        var members = Enumerable.Range(0, 3_000).Select(i => i % 100 == 0 ? Folder($"t/d{i}/") : File($"t/{i:D5}-名前.bin", i * 37L)).ToArray();
        using var inMemory = ZipLayout.Of(members, "t/".Length);
        using var onDisk = ZipLayout.Of(members, "t/".Length, memoryLimit: 4096);
        var random = new Random(5);

        Assert.False(inMemory.Spilled);
        Assert.True(onDisk.Spilled);
        Assert.Equal(inMemory.ETag, onDisk.ETag);
        Assert.Equal(inMemory.Length, onDisk.Length);
        Assert.Equal(members[^1], onDisk.Member(members.Length - 1));
        for (var i = 0; i < 500; i++)
        {
            var position = random.NextInt64(inMemory.Length);
            Assert.Equal(inMemory.Locate(position), onDisk.Locate(position));
        }

        var crcs = members.Select((_, i) => (uint)i * 2654435761u).ToArray();
        Assert.Equal(Bytes(inMemory, i => (byte)i, crcs), Bytes(onDisk, i => (byte)i, crcs));
    }

    [Fact]
    public void TrySetCrc_FirstHashedWins_HashedReplacesRemembered_RememberedNeverReplaces()
    {
        using var layout = ZipLayout.Of([File("a", 1), File("b", 1)], 0);

        Assert.False(layout.TryGetCrc(0, out _));
        Assert.True(layout.TrySetCrc(0, 7, hashed: false));
        Assert.True(layout.TrySetCrc(0, 8, hashed: false));
        Assert.True(layout.TryGetCrc(0, out var remembered));
        Assert.Equal(7u, remembered);
        Assert.True(layout.TrySetCrc(0, 9, hashed: true));
        Assert.True(layout.TrySetCrc(0, 9, hashed: true));
        Assert.False(layout.TrySetCrc(0, 10, hashed: true));
        Assert.True(layout.TrySetCrc(0, 11, hashed: false));
        Assert.True(layout.TryGetCrc(0, out var hashed));
        Assert.Equal(9u, hashed);
        Assert.False(layout.TryGetCrc(1, out _));
    }

    private static ArchiveMember File(string key, long length) => new(key, length, Modified, new EntityTagHeaderValue("\"" + key.Length + "-" + length + "\""));

    private static ArchiveMember Folder(string key) => new(key, 0, Modified, ETag: null);

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(15).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Bytes(ZipLayout layout, Func<int, byte> fill, uint[] crcs)
    {
        using var stream = new LayoutStream(layout, crcs, (entry, _, span) => span.Fill(fill(entry)));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A seekable view of a layout whose member bytes come from a function: archives of any size without storage.</summary>
    private sealed class LayoutStream(ZipLayout layout, uint[] crcs, LayoutStream.Fill fill) : Stream
    {
        public delegate void Fill(int entry, long offset, Span<byte> destination);

        private readonly byte[] _header = new byte[ZipLayout.MaxHeaderBytes];

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => layout.Length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= layout.Length)
            {
                return 0;
            }

            var segment = layout.Locate(Position);
            var length = (int)Math.Min(count, segment.End - Position);
            var within = Position - segment.Start;
            var destination = buffer.AsSpan(offset, length);
            if (segment.Part == ZipPart.Data)
            {
                fill(segment.Entry, within, destination);
            }
            else
            {
                _ = segment.Part switch
                {
                    ZipPart.LocalHeader => layout.WriteLocalHeader(segment.Entry, _header),
                    ZipPart.Descriptor => layout.WriteDescriptor(segment.Entry, crcs[segment.Entry], _header),
                    ZipPart.CentralHeader => layout.WriteCentralHeader(segment.Entry, crcs[segment.Entry], _header),
                    _ => layout.WriteEnd(_header),
                };
                _header.AsSpan((int)within, length).CopyTo(destination);
            }

            Position += length;
            return length;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => layout.Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
