using LargeFileGateway.Digests;
using Microsoft.Extensions.Logging.Abstractions;

namespace LargeFileGateway.UnitTests.Digests;

public sealed class ContentFactsStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lfg-facts-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ContentFacts Facts(byte seed) => new(new Dictionary<string, byte[]> { [ContentFacts.Sha256] = Enumerable.Repeat(seed, 32).ToArray() }, ContentFactsSource.Computed);

    [Fact]
    public void Find_OtherValidatorOfTheSameKey_IsUnknown()
    {
        var store = Open();
        store.Put(new FileVersion("a.iso", "\"v1\""), Facts(1));

        Assert.NotNull(store.Find(new FileVersion("a.iso", "\"v1\"")));
        Assert.Null(store.Find(new FileVersion("a.iso", "\"v2\"")));
    }

    [Fact]
    public void Load_AfterPut_KnowsTheVersionAgain()
    {
        Open().Put(new FileVersion("a.iso", "\"v1\""), Facts(7));

        var reopened = Open();

        Assert.Equal(Facts(7).Get(ContentFacts.Sha256), reopened.Find(new FileVersion("a.iso", "\"v1\""))?.Get(ContentFacts.Sha256));
    }

    [Fact]
    public void DropOtherVersions_KeepsOnlyTheCurrentOneOnDiskToo()
    {
        var store = Open();
        store.Put(new FileVersion("a.iso", "\"v1\""), Facts(1));
        store.Put(new FileVersion("a.iso", "\"v2\""), Facts(2));
        store.Put(new FileVersion("b.iso", "\"v1\""), Facts(3));

        var dropped = store.DropOtherVersions("a.iso", "\"v2\"");
        var reopened = Open();

        Assert.Equal(1, dropped);
        Assert.Null(reopened.Find(new FileVersion("a.iso", "\"v1\"")));
        Assert.NotNull(reopened.Find(new FileVersion("a.iso", "\"v2\"")));
        Assert.NotNull(reopened.Find(new FileVersion("b.iso", "\"v1\"")));
        Assert.Equal(2, Directory.GetFiles(_folder, "*" + ContentFactsFile.Extension).Length);
    }

    [Fact]
    public void Put_PastMaxEntries_DropsTheOldest()
    {
        var store = Open(maxEntries: 4);
        for (var i = 0; i < 6; i++)
        {
            store.Put(new FileVersion("f" + i, "\"v\""), Facts((byte)i));
        }

        Assert.True(store.Count <= 4);
        Assert.Null(store.Find(new FileVersion("f0", "\"v\"")));
        Assert.NotNull(store.Find(new FileVersion("f5", "\"v\"")));
        Assert.Equal(store.Count, Directory.GetFiles(_folder, "*" + ContentFactsFile.Extension).Length);
    }

    [Fact]
    public void Load_EntryFiledUnderAnotherVersionsName_IsDeletedNotServed()
    {
        Open().Put(new FileVersion("a.iso", "\"v1\""), Facts(1));
        var entry = Directory.GetFiles(_folder, "*" + ContentFactsFile.Extension).Single();
        File.Move(entry, Path.Combine(_folder, ContentFactsFile.NameOf(new FileVersion("a.iso", "\"v2\""))));

        var reopened = Open();

        Assert.Null(reopened.Find(new FileVersion("a.iso", "\"v1\"")));
        Assert.Null(reopened.Find(new FileVersion("a.iso", "\"v2\"")));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Load_FolderThatCannotBeCreated_FailsNamingTheKey()
    {
        Directory.CreateDirectory(_folder);
        var blocker = Path.Combine(_folder, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var store = new ContentFactsStore(Path.Combine(blocker, "store"), 10, NullLogger.Instance);

        var error = Assert.Throws<InvalidOperationException>(store.Load);

        Assert.StartsWith("Gateway:Digests:Store", error.Message, StringComparison.Ordinal);
    }

    private ContentFactsStore Open(int maxEntries = 100)
    {
        var store = new ContentFactsStore(_folder, maxEntries, NullLogger.Instance);
        store.Load();
        return store;
    }
}
