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
/// The proof (<see cref="IsStillNamedByItsPath"/>) is two system calls, whatever the key. A statx of the path, whose
/// <see cref="FileIdentity"/> (device, inode, length, mtime, ctime) must equal the descriptor's at the open: that
/// catches a file replaced (rename over it), deleted, rewritten, truncated, renamed or linked (each moves ctime) and
/// a link swapped to another file. What it cannot see is the same unchanged inode reached by another way: a folder on
/// the way, the root itself or a folder above the root moved away and a link to where it went put in its place. So
/// the descriptor's readlink (/proc/self/fd) must still give the real path that was checked inside the root: the
/// kernel names the file by the folders it really is in, as the fresh open's check does. A statx per folder on the
/// way (links not followed) was cheaper for a flat key, but it never looked at the root or above it (issue 16
/// review). The link is read relative to /proc/self/fd, held open (<see cref="Libc.DescriptorLinkReads"/>), which
/// spares the kernel the walk through /proc for every request; it replaces the statx per folder that a nested key
/// used to pay.
/// </remarks>
internal sealed class CachedOpenFile
{
    private readonly OpenFileCache _cache;
    private readonly byte[] _path;
    private readonly bool _throughLink;
    private readonly FileIdentity _identity;
    private readonly byte[] _descriptorName;
    private readonly byte[] _realPath;
    private long _lastUsed;
    private int _retired;
    private int _users;

    /// <summary>
    /// An entry for a file just opened and checked: <paramref name="realPath"/> is where the kernel says the descriptor
    /// is, inside the root; <paramref name="realKey"/> differs from the key when a link inside the root led there.
    /// </summary>
    public CachedOpenFile(OpenFileCache cache, SafeFileHandle handle, string physicalPath, string realPath, FileIdentity identity, FileMetadata metadata,
        string realKey, DateTime modifiedUtc)
    {
        _cache = cache;
        Handle = handle;
        _path = NullTerminated(physicalPath);
        _throughLink = realKey != metadata.Key;
        _identity = identity;
        _descriptorName = NullTerminated(handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture));
        _realPath = Encoding.UTF8.GetBytes(realPath);
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

    /// <summary>A request holds a reference now: evicting this entry would free no descriptor.</summary>
    public bool IsHeld => Volatile.Read(ref _users) > 0;

    /// <summary>The cache's slot of this entry, set by the cache when it adds it.</summary>
    public int Slot { get; set; }

    /// <summary>
    /// True when the path still leads to this very file, unchanged, and the file is still where it was checked to be
    /// (see the remarks): a statx of the path and a readlink of the descriptor. No allocation.
    /// </summary>
    public bool IsStillNamedByItsPath()
        => Libc.DescribePath(_path, followLink: _throughLink, out _, out var now) == 0 && now == _identity
            && Libc.DescriptorLinkReads(_descriptorName, _realPath);

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

        Interlocked.Increment(ref _users);
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

    public void Release()
    {
        Interlocked.Decrement(ref _users);
        Handle.DangerousRelease();
    }

    /// <summary>Drops this file from the cache, so that the next request opens the key afresh.</summary>
    public void Forget() => _cache.Forget(this);

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
