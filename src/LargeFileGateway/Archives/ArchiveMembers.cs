using LargeFileGateway.Access;
using LargeFileGateway.Configuration;
using LargeFileGateway.Storage;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Archives;

/// <summary>
/// Walks a folder for its archive: depth first, each folder's entries in the ordinal order the listing gives, paged
/// (<see cref="PageSize"/> entries of one folder in memory per level), so that the member order, and with it every
/// byte of the archive, is the same on every request for the same content. Each member goes straight into the
/// layout's member table (<see cref="ZipLayout.Builder"/>), which moves to a temporary file past
/// <see cref="TableMemoryBytes"/>: the walk holds pages, never the member list.
/// </summary>
/// <remarks>
/// Every entry goes through <see cref="AccessGate.CoversAsync"/>: an open folder never packs a protected sub-folder
/// or file the request's proof does not open. A folder that contributes no member (empty, or everything in it
/// hidden or refused) becomes a directory entry. The caps stop the walk as soon as they are passed, so a huge
/// folder costs no more than the cap to refuse. Folder links that loop back are bounded by the caps and by the key
/// length (a key longer than a path can be is not entered).
/// </remarks>
internal sealed class ArchiveMembers
{
    /// <summary>Entries per listing call: large enough that a folder of 100,000 files takes 25 calls.</summary>
    public const int PageSize = 4096;

    /// <summary>Bytes of each of a member table's two stores kept in memory (about 2,300 members) before its temporary file.</summary>
    public const int TableMemoryBytes = 128 * 1024;

    private readonly IListableStorage? _storage;
    private readonly IStorageProvider _files;
    private readonly AccessGate _access;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly string _tableFolder;

    public ArchiveMembers(IStorageProvider storage, AccessGate access, IOptions<ArchivesOptions> options)
    {
        _storage = storage as IListableStorage;
        _files = storage;
        _access = access;
        _maxEntries = options.Value.MaxEntries;
        _maxBytes = options.Value.MaxBytes;
        _tableFolder = options.Value.TableFolderOrDefault;
    }

    private long _walks;

    /// <summary>Walks begun since start (tests: requests that shared a walk did not begin one).</summary>
    internal long Walks => Interlocked.Read(ref _walks);

    public int MaxEntries => _maxEntries;

    public long MaxBytes => _maxBytes;

    public async ValueTask<ArchiveWalk> WalkAsync(HttpContext context, string folder, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _walks);
        if (_storage is null || await _storage.ListAsync(folder, null, PageSize, cancellationToken) is not { } first)
        {
            return ArchiveWalk.NoSuchFolder;
        }

        var layout = new ZipLayout.Builder(folder, TableMemoryBytes, _tableFolder);
        try
        {
            var outcome = await WalkIntoAsync(context, folder, first, layout, cancellationToken);
            return outcome == ArchiveWalkOutcome.Complete
                ? new ArchiveWalk(outcome, layout.Build(), layout.Count, layout.MemberBytes)
                : new ArchiveWalk(outcome, null, layout.Count, layout.MemberBytes);
        }
        finally
        {
            layout.Dispose();
        }
    }

    private async ValueTask<ArchiveWalkOutcome> WalkIntoAsync(HttpContext context, string folder, FolderPage first, ZipLayout.Builder members, CancellationToken cancellationToken)
    {
        var open = new Stack<Level>();
        open.Push(new Level(folder, DateTimeOffset.MinValue, first, members.Count));
        while (open.TryPeek(out var level))
        {
            if (level.Index == level.Page.Entries.Count)
            {
                if (level.Page.NextCursor is { } cursor && await _storage!.ListAsync(level.Folder, cursor, PageSize, cancellationToken) is { } next)
                {
                    (level.Page, level.Index) = (next, 0);
                    continue;
                }

                open.Pop();
                if (open.Count > 0 && members.Count == level.MembersBefore)
                {
                    members.Add(new ArchiveMember(level.Folder, 0, level.Modified, ETag: null));
                    if (members.Count > _maxEntries)
                    {
                        return ArchiveWalkOutcome.TooManyEntries;
                    }
                }

                continue;
            }

            var entry = level.Page.Entries[level.Index++];
            // A link inside the root is packed only when the proof also covers where it leads, as for its download
            // (AccessGate.ConfirmRealKeyAsync): a link in an open folder must not pack a protected file.
            if (!IsServableKey(entry) || !await _access.CoversAsync(context, entry.Key)
                || (!string.Equals(entry.RealKey, entry.Key, StringComparison.Ordinal) && !await _access.CoversAsync(context, entry.RealKey)))
            {
                continue;
            }

            if (entry.IsFolder)
            {
                if (System.Text.Encoding.UTF8.GetByteCount(entry.Key) < Security.StorageKey.MaxLengthBytes
                    && await _storage!.ListAsync(entry.Key, null, PageSize, cancellationToken) is { } page)
                {
                    open.Push(new Level(entry.Key, entry.LastModified, page, members.Count));
                }

                continue;
            }

            // A listing that cannot name the validator downloads use (a versioned S3 bucket: the version id is not
            // listed) leaves it out; the member is then looked up as a download would, and a file gone since the
            // listing is left out.
            var member = entry.ETag is not null
                ? new ArchiveMember(entry.Key, entry.Length, entry.LastModified, entry.ETag)
                : await _files.GetMetadataAsync(entry.Key, cancellationToken) is { } metadata
                    ? new ArchiveMember(metadata.Key, metadata.Length, metadata.LastModified, metadata.ETag)
                    : (ArchiveMember?)null;
            if (member is not { } found)
            {
                continue;
            }

            members.Add(found);
            if (members.Count > _maxEntries)
            {
                return ArchiveWalkOutcome.TooManyEntries;
            }

            if (members.MemberBytes > _maxBytes)
            {
                return ArchiveWalkOutcome.TooManyBytes;
            }
        }

        return ArchiveWalkOutcome.Complete;
    }

    /// <summary>
    /// True when a download could ask for the entry's key: <see cref="Security.StorageKey"/> gives it back unchanged.
    /// A name on disk may hold what a request path may not (control characters: an ESC that recolours the terminal
    /// of whoever runs <c>unzip -l</c>, a newline that forges a line of a listing), and a zip name is not checked again.
    /// </summary>
    private static bool IsServableKey(FolderEntry entry)
    {
        var key = entry.IsFolder ? entry.Key.TrimEnd('/') : entry.Key;
        return Security.StorageKey.TryNormalize(key, out var normalized) == Security.StorageKeyVerdict.Valid
            && string.Equals(normalized, key, StringComparison.Ordinal);
    }

    /// <summary>One folder being walked: the page in hand and how far into it the walk is.</summary>
    private sealed class Level(string folder, DateTimeOffset modified, FolderPage page, int membersBefore)
    {
        public string Folder { get; } = folder;

        public DateTimeOffset Modified { get; } = modified;

        public FolderPage Page { get; set; } = page;

        public int Index { get; set; }

        public int MembersBefore { get; } = membersBefore;
    }
}
