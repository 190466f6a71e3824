using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// One descriptor held by the <see cref="OpenFileCache"/>, with everything its first open checked (metadata and
/// validators, the real key) and what proves, on a later request, that the key still leads to this very file and
/// version. Requests share the descriptor through SafeHandle reference counts: it closes when the cache has dropped
/// it and the last request reading it has ended.
/// </summary>
/// <remarks>
/// The proof (<see cref="IsStillNamedByItsPath"/>) starts with a statx of the path, whose
/// <see cref="FileIdentity"/> (device, inode, length, mtime, ctime) must equal the descriptor's at the open: that
/// catches a file replaced (rename over it), deleted, rewritten, truncated, renamed or linked (each moves ctime) and
/// a link swapped to another file. What it cannot see is the same unchanged inode reached by another way: a folder on
/// the way moved out of the root and a link to where it went put in its place. So, for a key with no link on the
/// way (its real key is itself, the common case), each folder on the way must still be the same folder, not a link
/// (one statx each, links not followed: a flat key needs none); for a key that went through a link, the descriptor's
/// readlink must still give the real path that was checked.
/// </remarks>
internal sealed class CachedOpenFile
{
    private readonly OpenFileCache _cache;
    private readonly byte[] _path;
    private readonly FileIdentity _identity;
    private readonly (byte[] Path, ulong Device, ulong Inode)[] _folders;
    private readonly byte[]? _descriptorLink;
    private readonly byte[]? _realPath;
    private long _lastUsed;
    private int _retired;

    private CachedOpenFile(OpenFileCache cache, SafeFileHandle handle, string physicalPath, FileIdentity identity, FileMetadata metadata, string realKey, DateTime modifiedUtc,
        (byte[] Path, ulong Device, ulong Inode)[] folders, byte[]? descriptorLink, byte[]? realPath)
    {
        _cache = cache;
        Handle = handle;
        _path = NullTerminated(physicalPath);
        _identity = identity;
        _folders = folders;
        _descriptorLink = descriptorLink;
        _realPath = realPath;
        Metadata = metadata;
        RealKey = realKey;
        ModifiedUtc = modifiedUtc;
    }

    public string Key => Metadata.Key;

    public SafeFileHandle Handle { get; }

    public FileMetadata Metadata { get; }

    public string RealKey { get; }

    public DateTime ModifiedUtc { get; }

    /// <summary>When a request last used it, in <see cref="TimeProvider.GetTimestamp"/> ticks of the cache's clock.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>
    /// An entry for a file just opened and checked (its real path is <paramref name="realPath"/>, inside
    /// <paramref name="realRoot"/>); null when a folder on the way is no longer a plain folder (it changed since the
    /// check: the request is served from its own descriptor, uncached).
    /// </summary>
    public static CachedOpenFile? TryCreate(OpenFileCache cache, SafeFileHandle handle, string realRoot, string physicalPath, string realPath, FileIdentity identity,
        FileMetadata metadata, string realKey, DateTime modifiedUtc)
    {
        if (realKey != metadata.Key)
        {
            var link = NullTerminated(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{handle.DangerousGetHandle()}"));
            return new CachedOpenFile(cache, handle, physicalPath, identity, metadata, realKey, modifiedUtc, [], link, Encoding.UTF8.GetBytes(realPath));
        }

        var key = metadata.Key;
        var folders = new List<(byte[] Path, ulong Device, ulong Inode)>();
        for (var slash = key.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = key.IndexOf('/', slash + 1))
        {
            var folder = NullTerminated(Path.Join(realRoot, key.AsSpan(0, slash)));
            if (Libc.DescribePath(folder, followLink: false, out var type, out var folderIdentity) != 0 || type != Libc.Directory)
            {
                return null;
            }

            folders.Add((folder, folderIdentity.Device, folderIdentity.Inode));
        }

        return new CachedOpenFile(cache, handle, physicalPath, identity, metadata, realKey, modifiedUtc, [.. folders], null, null);
    }

    /// <summary>
    /// True when the path still leads to this very file, unchanged, by the way that was checked (see the remarks):
    /// one statx for a flat key, one more per folder on the way, or a statx and a readlink after a link. No allocation.
    /// </summary>
    public bool IsStillNamedByItsPath()
    {
        var throughLink = _descriptorLink is not null;
        if (Libc.DescribePath(_path, followLink: throughLink, out _, out var now) != 0 || now != _identity)
        {
            return false;
        }

        if (throughLink)
        {
            return Libc.LinkReads(_descriptorLink, _realPath);
        }

        foreach (var (path, device, inode) in _folders)
        {
            if (Libc.DescribePath(path, followLink: false, out var type, out var folder) != 0 || type != Libc.Directory || folder.Device != device || folder.Inode != inode)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Takes a reference on the descriptor for one request; false when the cache dropped it meanwhile. Every true is
    /// matched by one <see cref="Release"/>.
    /// </summary>
    public bool TryAddReference(long now)
    {
        var added = false;
        try
        {
            Handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        if (!added)
        {
            return false;
        }

        // Checked after the reference is taken: a SafeHandle disposed while a request still reads it takes new
        // references until that request ends, so a request that found this entry just before the cache dropped it
        // would get it. A reference taken before the flag was set belongs to a request that came first.
        if (Volatile.Read(ref _retired) != 0)
        {
            Handle.DangerousRelease();
            return false;
        }

        Volatile.Write(ref _lastUsed, now);
        return true;
    }

    /// <summary>
    /// Called by the cache once it has removed this entry: no request gets it any more, and the cache's own reference
    /// goes (the descriptor closes now, or when the last request still reading it ends).
    /// </summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        Handle.Dispose();
    }

    public void Release() => Handle.DangerousRelease();

    /// <summary>Drops this file from the cache, so that the next request opens the key afresh.</summary>
    public void Forget() => _cache.Forget(this);

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
