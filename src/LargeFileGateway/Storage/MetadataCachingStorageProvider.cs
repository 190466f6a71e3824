using Microsoft.Extensions.Caching.Memory;

namespace LargeFileGateway.Storage;

/// <summary>
/// Remembers metadata lookups of a remote provider for a short time, so that a download manager opening eight
/// range requests on one file costs one HEAD, not eight.
/// </summary>
/// <remarks>
/// Safe because reads are pinned: the provider opens exactly the version the cached entry names (If-Match, the
/// S3 version id, and a check of the answer's validator), so a stale entry can make a read fail with
/// <see cref="StorageObjectChangedException"/> but never return bytes of another version. On that failure the
/// entry is dropped, so the next request sees the new version. "Not found" is not cached: an upload shows at once.
/// Entries expire on <see cref="TimeProvider"/> time (the gateway's clock from DI), so tests move it by hand.
/// </remarks>
internal sealed class MetadataCachingStorageProvider : IStorageProvider, IMetadataCache, IListableStorage, IDisposable
{
    private readonly IStorageProvider _inner;
    private readonly MemoryCache _cache;
    private readonly TimeSpan _ttl;

    /// <param name="inner">The provider whose lookups are remembered.</param>
    /// <param name="ttl">How long a found object's metadata is reused.</param>
    /// <param name="maxEntries">At most this many keys are remembered; past it, lookups go to <paramref name="inner"/>.</param>
    /// <param name="time">The clock expirations are measured on.</param>
    public MetadataCachingStorageProvider(IStorageProvider inner, TimeSpan ttl, int maxEntries, TimeProvider time)
    {
        _inner = inner;
        _ttl = ttl;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxEntries, Clock = new TimeProviderClock(time) });
    }

    public IStorageProvider Inner => _inner;

    public async ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue<FileMetadata>(key, out var cached) && cached is not null)
        {
            return cached;
        }

        var file = await _inner.GetMetadataAsync(key, cancellationToken);
        if (file is not null)
        {
            _cache.Set(key, file, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _ttl });
        }

        return file;
    }

    public async ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
    {
        try
        {
            return await _inner.OpenReadAsync(file, offset, length, cancellationToken);
        }
        catch (StorageObjectChangedException)
        {
            _cache.Remove(file.Key);
            throw;
        }
    }

    /// <summary>
    /// The inner provider's listing, never cached (a listing shows what is there now); null for every folder when the
    /// inner provider has no folders (HttpOrigin).
    /// </summary>
    public ValueTask<FolderPage?> ListAsync(string folder, string? cursor, int pageSize, CancellationToken cancellationToken)
        => _inner is IListableStorage listable ? listable.ListAsync(folder, cursor, pageSize, cancellationToken) : ValueTask.FromResult<FolderPage?>(null);

    public void Invalidate(string key) => _cache.Remove(key);

    public void Dispose()
    {
        _cache.Dispose();
        (_inner as IDisposable)?.Dispose();
    }

    /// <summary>MemoryCache reads the time through its own clock interface; this one reads the gateway's.</summary>
    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
