namespace LargeFileGateway.Storage;

/// <summary>
/// An optional ability of a provider that remembers metadata lookups: forget one key, so that the next
/// <see cref="IStorageProvider.GetMetadataAsync"/> asks the backend again. Checked with <c>storage is IMetadataCache</c>.
/// </summary>
/// <remarks>
/// A request that met <see cref="StorageObjectChangedException"/> before its first byte was sent retries once with
/// fresh metadata; the cache already drops the key on that exception, and this lets the caller force it whatever
/// the exception's path (say, a change noticed by the caller itself).
/// </remarks>
internal interface IMetadataCache
{
    /// <summary>Forgets what is remembered about <paramref name="key"/>; a no-op when nothing is.</summary>
    void Invalidate(string key);
}
