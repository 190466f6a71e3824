using LargeFileGateway.Storage;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.UnitTests.Storage;

public sealed class MetadataCachingStorageProviderTests : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly CountingProvider _inner = new();
    private readonly MetadataCachingStorageProvider _cache;

    public MetadataCachingStorageProviderTests()
    {
        _cache = new MetadataCachingStorageProvider(_inner, Ttl, maxEntries: 2, _time);
        _inner.Files["a.bin"] = Metadata("a.bin", "\"v1\"");
        _inner.Files["b.bin"] = Metadata("b.bin", "\"v1\"");
        _inner.Files["c.bin"] = Metadata("c.bin", "\"v1\"");
    }

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task GetMetadataAsync_WithinTtl_AsksTheBackendOnce()
    {
        var first = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        _time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        var second = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(1, _inner.Lookups("a.bin"));
    }

    [Fact]
    public async Task GetMetadataAsync_AfterTtl_AsksTheBackendAgain()
    {
        await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        _inner.Files["a.bin"] = Metadata("a.bin", "\"v2\"");
        _time.Advance(Ttl + TimeSpan.FromMilliseconds(1));

        var fresh = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);

        Assert.Equal("\"v2\"", fresh!.ETag.Tag.Value);
        Assert.Equal(2, _inner.Lookups("a.bin"));
    }

    [Fact]
    public async Task GetMetadataAsync_NotFound_IsNotRemembered()
    {
        var missing = await _cache.GetMetadataAsync("new.bin", CancellationToken.None);
        _inner.Files["new.bin"] = Metadata("new.bin", "\"v1\"");

        var uploaded = await _cache.GetMetadataAsync("new.bin", CancellationToken.None);

        Assert.Null(missing);
        Assert.NotNull(uploaded);
        Assert.Equal(2, _inner.Lookups("new.bin"));
    }

    [Fact]
    public async Task Invalidate_CachedKey_NextLookupAsksTheBackend()
    {
        await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        await _cache.GetMetadataAsync("b.bin", CancellationToken.None);
        _inner.Files["a.bin"] = Metadata("a.bin", "\"v2\"");

        _cache.Invalidate("a.bin");
        var fresh = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        await _cache.GetMetadataAsync("b.bin", CancellationToken.None);

        Assert.Equal("\"v2\"", fresh!.ETag.Tag.Value);
        Assert.Equal(2, _inner.Lookups("a.bin"));
        Assert.Equal(1, _inner.Lookups("b.bin"));
    }

    [Fact]
    public void Invalidate_UnknownKey_DoesNothing()
    {
        _cache.Invalidate("never-looked-up.bin");

        Assert.Equal(0, _inner.Lookups("never-looked-up.bin"));
    }

    [Fact]
    public async Task OpenReadAsync_ObjectChanged_DropsTheEntryAndRethrows()
    {
        var stale = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        _inner.Files["a.bin"] = Metadata("a.bin", "\"v2\"");

        await Assert.ThrowsAsync<StorageObjectChangedException>(async () => await _cache.OpenReadAsync(stale!, 0, 1, CancellationToken.None));
        var fresh = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);

        Assert.Equal("\"v2\"", fresh!.ETag.Tag.Value);
        Assert.Equal(2, _inner.Lookups("a.bin"));
    }

    [Fact]
    public async Task OpenReadAsync_BackendUnavailable_KeepsTheEntry()
    {
        var file = await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        _inner.FailReads = true;

        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await _cache.OpenReadAsync(file!, 0, 1, CancellationToken.None));
        await _cache.GetMetadataAsync("a.bin", CancellationToken.None);

        Assert.Equal(1, _inner.Lookups("a.bin"));
    }

    [Fact]
    public async Task GetMetadataAsync_MoreKeysThanMaxEntries_RemembersNoMoreThanTheLimit()
    {
        await _cache.GetMetadataAsync("a.bin", CancellationToken.None);
        await _cache.GetMetadataAsync("b.bin", CancellationToken.None);

        // Full: "c.bin" is looked up but not added (MemoryCache refuses an entry past SizeLimit).
        await _cache.GetMetadataAsync("c.bin", CancellationToken.None);
        await _cache.GetMetadataAsync("c.bin", CancellationToken.None);

        Assert.Equal(2, _inner.Lookups("c.bin"));
    }

    private static FileMetadata Metadata(string key, string etag)
        => new(key, 10, DateTimeOffset.UnixEpoch, new EntityTagHeaderValue(etag));

    /// <summary>An in-memory backend that counts lookups and pins reads to the current version, as the real ones do.</summary>
    private sealed class CountingProvider : IStorageProvider
    {
        private readonly Dictionary<string, int> _lookups = new(StringComparer.Ordinal);

        public Dictionary<string, FileMetadata> Files { get; } = new(StringComparer.Ordinal);

        public bool FailReads { get; set; }

        public int Lookups(string key) => _lookups.GetValueOrDefault(key);

        public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
        {
            _lookups[key] = Lookups(key) + 1;
            return ValueTask.FromResult(Files.GetValueOrDefault(key));
        }

        public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
        {
            if (FailReads)
            {
                throw new StorageUnavailableException("down");
            }

            if (!Files.TryGetValue(file.Key, out var current) || current.ETag != file.ETag)
            {
                throw new StorageObjectChangedException("changed");
            }

            return ValueTask.FromResult<Stream>(new MemoryStream(new byte[length]));
        }
    }
}
