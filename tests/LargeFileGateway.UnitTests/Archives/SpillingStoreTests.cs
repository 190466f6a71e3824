using LargeFileGateway.Archives;

namespace LargeFileGateway.UnitTests.Archives;

public sealed class SpillingStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("spilling-store-").FullName;

    [Fact]
    public void Append_WithinTheLimit_StaysInMemoryAndReadsBack()
    {
        using var store = new SpillingStore(1024, _folder);
        store.Append([1, 2, 3]);
        store.Append([4, 5]);
        store.Seal();

        var read = new byte[5];
        store.Read(0, read);

        Assert.False(store.Spilled);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, read);
    }

    [Fact]
    public void Append_PastTheLimit_GoesToAFileThatHasNoNameAndReadsBackEveryByte()
    {
        var expected = new byte[300_000];
        new Random(31).NextBytes(expected);
        using var store = new SpillingStore(4096, _folder);
        for (var at = 0; at < expected.Length;)
        {
            // Pieces of every size, one larger than the write buffer.
            var size = at == 100_000 ? 70_000 : Math.Min(1 + (at % 977), expected.Length - at);
            store.Append(expected.AsSpan(at, size));
            at += size;
        }

        store.Seal();
        var read = new byte[expected.Length];
        store.Read(0, read);
        var middle = new byte[10];
        store.Read(123_456, middle);

        Assert.True(store.Spilled);
        Assert.Equal(expected.Length, store.Length);
        Assert.Equal(expected, read);
        Assert.Equal(expected.AsSpan(123_456, 10).ToArray(), middle);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1 << 20)]
    public void Write_AfterSeal_PatchesInPlace(int memoryLimit)
    {
        using var store = new SpillingStore(memoryLimit, _folder);
        store.Append(new byte[1000]);
        store.Seal();

        store.Write(998, [7, 8]);
        var read = new byte[3];
        store.Read(997, read);

        Assert.Equal(new byte[] { 0, 7, 8 }, read);
    }

    [Fact]
    public void ReadBeforeSeal_AppendAfterSeal_ReadPastTheEnd_AreRefused()
    {
        using var store = new SpillingStore(64, _folder);
        store.Append([1, 2]);
        Assert.Throws<InvalidOperationException>(() => store.Read(0, new byte[1]));
        store.Seal();
        Assert.Throws<InvalidOperationException>(() => store.Append([3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Read(1, new byte[2]));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
