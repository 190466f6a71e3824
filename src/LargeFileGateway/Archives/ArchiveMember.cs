using LargeFileGateway.Storage;
using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Archives;

/// <summary>
/// One member of a folder's archive: a file, or an empty folder (its key ends in <c>/</c>). Kept compact because an
/// archive holds its whole member list for the request: the key (shared with the listing's entry), two longs and the
/// validator the listing found; about 200 bytes with a 40-character key.
/// </summary>
/// <param name="Key">The full storage key; the zip name is the key without the archived folder's prefix.</param>
/// <param name="Length">The file's exact length; 0 for a folder.</param>
/// <param name="LastModified">Last modification (UTC, whole seconds); the entry's time in the zip.</param>
/// <param name="ETag">The file's strong validator, which every read of it is pinned to; null for a folder.</param>
internal readonly record struct ArchiveMember(string Key, long Length, DateTimeOffset LastModified, EntityTagHeaderValue? ETag)
{
    public bool IsDirectory => Key.EndsWith('/');

    /// <summary>The version reads are pinned to (<see cref="IStorageProvider.OpenReadAsync"/> throws when it changed).</summary>
    public FileMetadata ToMetadata() => new(Key, Length, LastModified, ETag ?? throw new InvalidOperationException("A folder has no content."));
}
