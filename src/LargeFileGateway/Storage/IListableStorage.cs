using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Storage;

/// <summary>
/// An optional ability of a provider: list the entries of one folder, a page at a time (the folder listing and the
/// zip archives of a folder). Checked with <c>storage is IListableStorage</c>; a provider without it (HttpOrigin) has
/// no folders to show.
/// </summary>
/// <remarks>
/// Contract, shared by every provider:
/// <list type="bullet">
/// <item><c>folder</c> is a normalized folder key: <c>""</c> for the root, else ending in <c>/</c>
/// (<c>"docs/2024/"</c>).</item>
/// <item>Entries come in ordinal order of <see cref="FolderEntry.Name"/> (folders and files mixed), the same order
/// on every call for the same content, so an archive laid out from them is the same bytes every time.</item>
/// <item>Dotfiles and dot-folders never appear; an entry that a download of its key would refuse (a link leading out
/// of the root or onto a dotfile, a device, a FIFO) never appears either.</item>
/// <item>An outage throws <see cref="StorageUnavailableException"/>; a folder that does not exist is null.</item>
/// </list>
/// </remarks>
internal interface IListableStorage
{
    /// <summary>
    /// The entries of <paramref name="folder"/> after <paramref name="cursor"/> (null: from the first), at most
    /// <paramref name="pageSize"/> of them; null when there is no such folder (or it is hidden).
    /// </summary>
    ValueTask<FolderPage?> ListAsync(string folder, string? cursor, int pageSize, CancellationToken cancellationToken);
}

/// <summary>One entry of a folder.</summary>
/// <param name="Key">The full normalized key: a file's key, or a folder's key ending in <c>/</c>.</param>
/// <param name="Name">The last segment, without the trailing <c>/</c> of a folder.</param>
/// <param name="IsFolder">True for a folder.</param>
/// <param name="Length">A file's exact length; 0 for a folder.</param>
/// <param name="LastModified">Last modification, truncated to whole seconds; a folder's may be unknown (MinValue).</param>
/// <param name="ETag">A file's strong validator, the same a download of <paramref name="Key"/> sends; null for a folder.</param>
/// <param name="RealKey">
/// Where the entry really is when its key goes through a link inside the root (a folder's ending in <c>/</c>); null
/// when that is the key itself. Access must cover it too, as it must for a download of the key.
/// </param>
internal sealed record FolderEntry(string Key, string Name, bool IsFolder, long Length, DateTimeOffset LastModified, EntityTagHeaderValue? ETag, string? RealKey = null)
{
    /// <summary>The file's metadata, as <see cref="IStorageProvider.GetMetadataAsync"/> would give it.</summary>
    public FileMetadata ToMetadata() => IsFolder
        ? throw new InvalidOperationException("A folder has no file metadata.")
        : new FileMetadata(Key, Length, LastModified, ETag!);
}

/// <summary>One page of a folder listing.</summary>
/// <param name="Entries">In ordinal order of name.</param>
/// <param name="NextCursor">What to pass for the next page; null on the last page. Opaque to callers.</param>
internal sealed record FolderPage(IReadOnlyList<FolderEntry> Entries, string? NextCursor);
