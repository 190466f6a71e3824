namespace LargeFileGateway.Storage;

/// <summary>
/// Where the bytes live. Implementations: <c>Local/</c> (a folder), and one folder per remote kind.
/// </summary>
/// <remarks>
/// Contract, shared by every provider:
/// <list type="bullet">
/// <item>Keys are already normalized by <c>Security.StorageKey</c>; a provider still refuses anything it cannot
/// prove is inside its root or prefix by answering "not found".</item>
/// <item><see cref="GetMetadataAsync"/> returns null for "not found" (and for directories, dotfiles and links
/// that leave the root). It never throws for that.</item>
/// <item>An outage or timeout throws <see cref="StorageUnavailableException"/>; SDK and I/O exceptions never leak upward.</item>
/// <item>Offsets are absolute positions in the object. Every method honours its cancellation token.</item>
/// </list>
/// </remarks>
public interface IStorageProvider
{
    /// <summary>Looks up length, last-modified time and validator of <paramref name="key"/>; null when there is no such file.</summary>
    ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the object described by <paramref name="file"/> for reading <paramref name="length"/> bytes from
    /// absolute <paramref name="offset"/>. The stream yields exactly the bytes of that version: if the object has
    /// changed since <paramref name="file"/> was read, it throws <see cref="StorageObjectChangedException"/> instead.
    /// A stream that ends early means the object was truncated under us; the caller treats it as a failure.
    /// </summary>
    ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken);
}
