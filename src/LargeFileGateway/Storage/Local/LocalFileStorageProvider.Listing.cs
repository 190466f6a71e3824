using System.IO.Enumeration;
using LargeFileGateway.Security;

namespace LargeFileGateway.Storage.Local;

/// <summary>Folder listings of the local root (<see cref="IListableStorage"/>).</summary>
internal sealed partial class LocalFileStorageProvider
{
    private static readonly EnumerationOptions OneFolder = new()
    {
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = 0,
    };

    /// <remarks>
    /// A file entry is described by the very lookup a download of its key makes (<see cref="TryOpen"/>: open, type,
    /// real path), so its validator is the one downloads send and the rules are the same by construction: a link out
    /// of the root or onto a dotfile, a FIFO or a device never appears. That costs an open per file; a folder of
    /// 5,000 files lists in tens of milliseconds. The page is chosen with a bounded heap over the names after the
    /// cursor, so a huge folder costs one pass per page and memory for one page, not for the folder.
    /// </remarks>
    public ValueTask<FolderPage?> ListAsync(string folder, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (RealFolder(folder) is not { } realFolder)
        {
            return ValueTask.FromResult<FolderPage?>(null);
        }

        try
        {
            var (names, more) = NextNames(realFolder, cursor, pageSize, cancellationToken);
            var entries = new List<FolderEntry>(names.Count);
            var onTheWay = names.Count > 0 ? RealFoldersOnTheWay(folder, realFolder) : [];
            foreach (var name in names)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Describe(folder, realFolder, name, onTheWay) is { } entry)
                {
                    entries.Add(entry);
                }
            }

            var realKey = RelativeFolderKey(realFolder);
            return ValueTask.FromResult<FolderPage?>(new FolderPage(entries, more && names.Count > 0 ? names[^1] : null)
            {
                RealFolder = string.Equals(realKey, folder, StringComparison.Ordinal) ? null : realKey,
            });
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // Gone since the check, or not readable by us: like a file it cannot open, "no such folder".
            return ValueTask.FromResult<FolderPage?>(null);
        }
        catch (IOException ex)
        {
            throw new StorageUnavailableException("The local file system failed to list a folder.", ex) { RetryAfter = RetryAfterFailure };
        }
    }

    private static bool LeadsBack(string real, List<string> onTheWay)
    {
        foreach (var passed in onTheWay)
        {
            if (string.Equals(passed, real, StringComparison.Ordinal) || RealPath.IsInside(passed, real))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The real path of a folder key, or null when it is not a folder inside the root that downloads could reach.</summary>
    private string? RealFolder(string folder)
    {
        if (folder.Length == 0)
        {
            return _realRoot;
        }

        if (folder[^1] != '/' || !IsPlainRelativeKey(folder[..^1]))
        {
            return null;
        }

        var real = RealPath.OfPath(Path.Join(_realRoot, folder[..^1]));
        return real is not null && RealPath.IsInside(real, _realRoot) && !IsExcludedOnTheWay(real) && Directory.Exists(real) ? real : null;
    }

    /// <summary>The first <paramref name="pageSize"/> names after <paramref name="cursor"/>, in ordinal order, and whether more follow.</summary>
    private static (List<string> Names, bool More) NextNames(string realFolder, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        // A max-heap of the smallest names seen so far: the root is the largest kept, replaced by anything smaller.
        var heap = new PriorityQueue<string, string>(pageSize + 1, Comparer<string>.Create(static (a, b) => string.CompareOrdinal(b, a)));
        var after = 0;
        var names = new FileSystemEnumerable<string>(realFolder, static (ref FileSystemEntry entry) => entry.FileName.ToString(), OneFolder)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.FileName.StartsWith('.'),
        };
        foreach (var name in names)
        {
            if (cursor is not null && string.CompareOrdinal(name, cursor) <= 0)
            {
                continue;
            }

            if ((++after & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (heap.Count < pageSize)
            {
                heap.Enqueue(name, name);
            }
            else if (string.CompareOrdinal(name, heap.Peek()) < 0)
            {
                heap.EnqueueDequeue(name, name);
            }
        }

        var page = new List<string>(heap.Count);
        while (heap.TryDequeue(out var name, out _))
        {
            page.Add(name);
        }

        page.Reverse();
        return (page, after > page.Count);
    }

    /// <summary>The real paths of the root and of every folder on the key's way to <paramref name="folder"/>, itself included.</summary>
    private List<string> RealFoldersOnTheWay(string folder, string realFolder)
    {
        var reals = new List<string> { _realRoot };
        for (var end = folder.IndexOf('/'); end >= 0 && end < folder.Length - 1; end = folder.IndexOf('/', end + 1))
        {
            if (RealPath.OfPath(Path.Join(_realRoot, folder[..end])) is { } real)
            {
                reals.Add(real);
            }
        }

        reals.Add(realFolder);
        return reals;
    }

    /// <summary>One entry, or null when a download of its key would not serve it (or a folder it could not enter).</summary>
    private FolderEntry? Describe(string folder, string realFolder, string name, List<string> onTheWay)
    {
        // A name the request path cannot carry as it is (a control character, a backslash, a literal "%2e") would be
        // refused when its link is followed: a download of that key is refused, so it is no entry either.
        if (StorageKey.TryNormalize(folder + name, out var normalized) != StorageKeyVerdict.Valid || !string.Equals(normalized, folder + name, StringComparison.Ordinal))
        {
            return null;
        }

        var path = Path.Join(realFolder, name);
        if (Directory.Exists(path))
        {
            // A folder, or a link to one: shown only when its real place is inside the root and not hidden, and not
            // a link back to a folder on the way here (or above one): that loops (box/again -> box, or a -> b -> a),
            // and a walk of the tree would go down it to the key length limit.
            var real = RealPath.OfPath(path);
            if (real is null || !RealPath.IsInside(real, _realRoot) || IsExcludedOnTheWay(real) || LeadsBack(real, onTheWay))
            {
                return null;
            }

            var modified = FileMetadata.ToHttpDatePrecision(new DateTimeOffset(Directory.GetLastWriteTimeUtc(real), TimeSpan.Zero));
            return new FolderEntry(folder + name + "/", name, IsFolder: true, Length: 0, modified, ETag: null) { RealKey = RelativeFolderKey(real) };
        }

        using var opened = TryOpen(folder + name);
        if (opened is null)
        {
            return null;
        }

        var metadata = opened.Metadata;
        return new FolderEntry(metadata.Key, name, IsFolder: false, metadata.Length, metadata.LastModified, metadata.ETag) { RealKey = opened.RealKey ?? metadata.Key };
    }

    /// <summary>The key of a real folder inside the root: "" for the root, else its relative path ending in '/'.</summary>
    private string RelativeFolderKey(string realFolder)
    {
        var relative = realFolder.AsSpan(_realRoot.Length).Trim(Path.DirectorySeparatorChar).ToString();
        if (Path.DirectorySeparatorChar != '/')
        {
            relative = relative.Replace(Path.DirectorySeparatorChar, '/');
        }

        return relative.Length == 0 ? string.Empty : relative + "/";
    }
}
