using LargeFileGateway.Observability;
using LargeFileGateway.Storage;

namespace LargeFileGateway.Representations;

/// <summary>Finds the stored file a key names and makes it a <see cref="StoredFile"/> representation.</summary>
internal sealed class StoredFiles
{
    private readonly IStorageProvider _storage;
    private readonly ContentTypeMap _contentTypes;
    private readonly bool _offloadable;

    /// <param name="storage">The configured provider.</param>
    /// <param name="contentTypes">Media types by extension.</param>
    /// <param name="storesLocalFiles">True for the local provider, whose files nginx can send itself (offload).</param>
    public StoredFiles(IStorageProvider storage, ContentTypeMap contentTypes, bool storesLocalFiles)
    {
        _storage = storage;
        _contentTypes = contentTypes;
        _offloadable = storesLocalFiles;
    }

    /// <summary>
    /// The current version of <paramref name="key"/>, or null when there is no such file. A provider that can hold
    /// the file open for the request (<see cref="IOpenableStorage"/>) is asked once, and every read of the request
    /// then goes through that open file. Outages throw <see cref="StorageUnavailableException"/>.
    /// </summary>
    /// <summary>
    /// Drops what a metadata cache remembers of <paramref name="key"/>, so the next <see cref="FindAsync"/> asks
    /// storage itself; false when nothing is cached (the local provider looks every request up afresh).
    /// </summary>
    public bool Forget(string key)
    {
        if (_storage is not IMetadataCache cache)
        {
            return false;
        }

        cache.Invalidate(key);
        return true;
    }

    public async ValueTask<StoredFile?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var contentType = _contentTypes.For(key);
        var openable = _storage as IOpenableStorage;
        using var span = StorageActivities.Source.StartActivity(openable is null ? StorageActivities.Metadata : StorageActivities.Open);
        try
        {
            StoredFile? found = openable is not null
                ? await openable.OpenAsync(key, cancellationToken) is { } opened ? StoredFile.Opened(opened, contentType, _offloadable) : null
                : await _storage.GetMetadataAsync(key, cancellationToken) is { } metadata ? StoredFile.ThroughProvider(metadata, _storage, contentType, _offloadable) : null;
            span?.SetTag("gateway.storage.found", found is not null);
            return found;
        }
        catch (Exception ex) when (span is not null)
        {
            StorageActivities.Fail(span, ex);
            throw;
        }
    }
}
