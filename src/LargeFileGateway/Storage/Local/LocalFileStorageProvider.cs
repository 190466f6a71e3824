using System.Globalization;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Serves files from one folder. A key must be a plain relative path (no rooted path, no empty, "." or ".." segment, no
/// dotfile or dot-folder); the real location of every opened file is then asked of the kernel and checked against the
/// real root, so neither a symlink nor a rename between the two steps can lead out of it or onto a dotfile.
/// </summary>
internal sealed partial class LocalFileStorageProvider : IStorageProvider, IOpenableStorage, IStorageProbe, IListableStorage, IDisposable
{
    /// <summary>
    /// The Retry-After of a failing disk: a hint that the client may try again soon (a transient EIO, a remounted
    /// share), short because nothing here knows how long the outage lasts.
    /// </summary>
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    /// <summary>What /proc/self/fd appends to the target of a descriptor whose file has been unlinked.</summary>
    private const string UnlinkedSuffix = " (deleted)";

    private const FileShare ShareWithWriters = FileShare.ReadWrite | FileShare.Delete;

    private readonly string _realRoot;
    private readonly LocalReadScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly OpenFileCache? _openFiles;

    /// <summary>Serves <paramref name="root"/> with the default local I/O settings (benchmarks, tests).</summary>
    public LocalFileStorageProvider(string root)
        : this(root, new LocalReadScheduler(new LocalStorageOptions(), TimeProvider.System), NullLogger.Instance)
    {
    }

    /// <param name="root">The folder served.</param>
    /// <param name="scheduler">Where reads run.</param>
    /// <param name="logger">Logs refused files and storage failures.</param>
    /// <param name="openFiles">Keeps descriptors open between requests (Linux); null opens every request afresh.</param>
    public LocalFileStorageProvider(string root, LocalReadScheduler scheduler, ILogger logger, OpenFileCache? openFiles = null)
    {
        var fullRoot = Path.GetFullPath(root);
        _realRoot = RealPath.OfPath(fullRoot) ?? throw new DirectoryNotFoundException("The storage root does not exist.");
        _scheduler = scheduler;
        _logger = logger;
        _openFiles = OperatingSystem.IsLinux() ? openFiles : null;
    }

    /// <summary>The real (link-free) path of the folder being served.</summary>
    public string RealRoot => _realRoot;

    /// <summary>The descriptors kept open between requests; null when every request opens its file afresh.</summary>
    internal OpenFileCache? OpenFiles => _openFiles;

    public void Dispose() => _openFiles?.Dispose();

    /// <summary>
    /// The root still exists and can be listed (opendir plus one readdir): a lost mount or a permission change shows
    /// here. On a pool thread, because a dead network share can block it; the readiness check runs one probe at a
    /// time and stops waiting after its timeout, so at most one thread waits on such a share.
    /// </summary>
    public ValueTask<string?> ProbeAsync(CancellationToken cancellationToken) => new(Task.Run(ProbeRoot, cancellationToken));

    public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var opened = TryOpen(key);
        return ValueTask.FromResult(opened?.Metadata);
    }

    public ValueTask<OpenedFile?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<OpenedFile?>(TryOpen(key));
    }

    public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        var opened = TryOpen(file.Key) ?? throw new StorageObjectChangedException("The file is gone.");

        // Same length and modification time, or the bytes may belong to another version.
        if (!opened.Metadata.ETag.Compare(file.ETag, useStrongComparison: true))
        {
            opened.Dispose();
            throw new StorageObjectChangedException("The file changed since its metadata was read.");
        }

        return ValueTask.FromResult<Stream>(new PositionalFileStream(opened, offset, offset + length, ownsFile: true));
    }

    /// <summary>
    /// Opens a key for reading, or null when it is missing, excluded, not a regular file, or really outside the root.
    /// Throws <see cref="StorageUnavailableException"/> only for a failing file system, or, flagged
    /// <see cref="StorageUnavailableException.IsInstanceOverloaded"/>, when this process is out of descriptors.
    /// </summary>
    /// <remarks>
    /// The open runs on the request's own thread, not on a dedicated I/O thread: random 64 KiB ranges are one request
    /// each, and a thread hop per open would cost them what the one-open design saved (benchmarks/RESULTS.md items
    /// 7-11). O_NONBLOCK keeps a FIFO or a device from ever blocking it; what remains is a network file system that
    /// hangs in open() itself (a hard NFS mount whose server is gone), which can still pin that thread until the
    /// mount answers: mount such storage with <c>soft,timeo=</c> (or serve it through the HttpOrigin provider). Every
    /// read after the open is bounded by <see cref="LocalReadScheduler"/>.
    /// </remarks>
    private OpenedLocalFile? TryOpen(string key)
    {
        // Lexical first, with no system call: a key is a relative path of plain segments (the request path was
        // normalized by StorageKey already; this holds for any caller). The kernel then says where the opened
        // handle really is, which is the check that counts. PhysicalFileProvider.GetFileInfo used to come first: two
        // more stat calls and a FileInfo per request that added nothing on top of these two checks (benchmarks/
        // RESULTS.md item 11).
        if (!IsPlainRelativeKey(key))
        {
            return null;
        }

        if (_openFiles?.TryTake(key) is { } cached)
        {
            return new OpenedLocalFile(cached, _scheduler);
        }

        var physicalPath = Path.Join(_realRoot, key);
        long length;
        DateTime modified;
        FileIdentity identity = default;
        SafeFileHandle? handle;
        if (OperatingSystem.IsLinux())
        {
            handle = OpenOnLinux(key, physicalPath, out length, out modified, out identity);
        }
        else
        {
            handle = OpenPortably(physicalPath);
            (length, modified) = handle is null ? (0, default) : (RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));
        }

        try
        {
            if (handle is null || RealKeyInside(key, handle, physicalPath) is not { } realKey)
            {
                return null;
            }

            var metadata = Describe(key, length, modified);
            if (_openFiles is not null && !realKey.Unlinked)
            {
                var entry = new CachedOpenFile(_openFiles, handle, physicalPath, realKey.RealPath, identity, metadata, realKey.Key, modified);
                if (_openFiles.TryAdd(entry))
                {
                    handle = null;
                    return new OpenedLocalFile(entry, _scheduler);
                }
            }

            var opened = new OpenedLocalFile(handle, metadata, _scheduler, realKey.Unlinked ? null : realKey.Key, modified);
            handle = null;
            return opened;
        }
        finally
        {
            handle?.Dispose();
        }
    }

    private SafeFileHandle? OpenOnLinux(string key, string physicalPath, out long length, out DateTime modified, out FileIdentity identity)
    {
        (length, modified, identity) = (0, default, default);
        var handle = Libc.Open(physicalPath, out var errno);
        if (handle.IsInvalid && errno is Errno.TooManyOpenFiles or Errno.TooManyOpenFilesInSystem && _openFiles is { Count: > 0 } openFiles)
        {
            // The cached descriptors are the ones this process can give back at once; with them closed, the open
            // that matters now may succeed.
            handle.Dispose();
            openFiles.Clear();
            handle = Libc.Open(physicalPath, out errno);
        }

        if (handle.IsInvalid)
        {
            handle.Dispose();
            return Refuse(key, errno, "open");
        }

        // The type before anything else: a FIFO (with or without a writer), a device or anything else that is not a
        // regular file is not a file we serve, and a read of one could block or never end.
        errno = Libc.Describe(handle, out var fileType, out length, out modified, out identity);
        if (errno == 0 && fileType != Libc.RegularFile)
        {
            // A folder is an ordinary miss; anything else (FIFO, socket, device) in the root is worth one warning.
            if (fileType == Libc.Directory)
            {
                Log.LocalFileRefused(_logger, key, "statx", "EISDIR");
            }
            else
            {
                Log.LocalFileNotRegular(_logger, key, fileType);
            }

            handle.Dispose();
            return null;
        }

        if (errno == 0)
        {
            errno = Libc.MakeBlocking(handle);
            Libc.AdviseSequential(handle);
        }

        if (errno != 0)
        {
            handle.Dispose();
            return Refuse(key, errno, "statx");
        }

        return handle;
    }

    private static SafeFileHandle? OpenPortably(string physicalPath)
    {
        try
        {
            return File.OpenHandle(physicalPath, FileMode.Open, FileAccess.Read, ShareWithWriters, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or PathTooLongException)
        {
            // Missing, a folder (opening one is refused as access denied), or not readable by us: all look like
            // "no such file".
            return null;
        }
        catch (IOException ex)
        {
            throw new StorageUnavailableException("The local file system failed to open a file.", ex) { RetryAfter = RetryAfterFailure };
        }
    }

    // Mapped by errno, never by message: only a failing file system is an outage (503); what a client can cause or
    // a misplaced special file is a 404, logged in one line; running out of descriptors is this instance's problem.
    private SafeFileHandle? Refuse(string key, int errno, string call)
    {
        var name = Errno.Name(errno);
        switch (Errno.ClassifyOpen(errno))
        {
            case LocalOpenFailure.NotFound:
                Log.LocalFileRefused(_logger, key, call, name);
                return null;
            case LocalOpenFailure.InstanceOverloaded:
                Log.LocalOpenOverloaded(_logger, key, name);
                throw new StorageUnavailableException($"This instance cannot open more files ({name}).") { IsInstanceOverloaded = true };
            default:
                throw new StorageUnavailableException($"The local file system failed to {call} a file ({name}).", new IOException(name, errno)) { RetryAfter = RetryAfterFailure };
        }
    }

    /// <summary>
    /// Where the opened file really is, relative to the root and with '/' separators, and whether it was unlinked
    /// after the open (the kernel then names it "... (deleted)"), and its real path; null when it is not inside the root.
    /// </summary>
    private (string Key, string RealPath, bool Unlinked)? RealKeyInside(string key, SafeFileHandle handle, string physicalPath)
    {
        string? real;
        try
        {
            real = RealPath.OfHandle(handle, physicalPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without its real path, the file cannot be shown to be inside the root: refused, and the caller closes it.
            var name = Errno.Name(ex is UnauthorizedAccessException ? Errno.AccessDenied : ex.HResult);
            Log.LocalFileRefused(_logger, key, "readlink", name);
            return null;
        }

        if (real is null || !RealPath.IsInside(real, _realRoot) || IsExcludedOnTheWay(real))
        {
            return null;
        }

        var relative = real.AsSpan(_realRoot.Length).TrimStart(Path.DirectorySeparatorChar).ToString();
        var unlinked = OperatingSystem.IsLinux() && relative.EndsWith(UnlinkedSuffix, StringComparison.Ordinal) && !File.Exists(real);
        return (Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/'), real, unlinked);
    }

    private static bool IsPlainRelativeKey(string key)
    {
        if (key.Length == 0 || key[0] == '/' || key.AsSpan().IndexOfAny('\\', '\0') >= 0)
        {
            return false;
        }

        foreach (var range in key.AsSpan().Split('/'))
        {
            var segment = key.AsSpan(range);
            if (segment.IsEmpty || segment[0] == '.')
            {
                return false;
            }
        }

        return true;
    }

    // A link inside the root may still point at a dotfile or into a dot-directory of the root (root/x → .git/config).
    private bool IsExcludedOnTheWay(string realPath)
    {
        var relative = realPath.AsSpan(_realRoot.Length).TrimStart(Path.DirectorySeparatorChar);
        foreach (var range in relative.Split(Path.DirectorySeparatorChar))
        {
            if (relative[range].StartsWith('.'))
            {
                return true;
            }
        }

        return false;
    }

    private static FileMetadata Describe(string key, long length, DateTime modified)
    {
        // A strong validator from length and the full-resolution modification time: any write changes one of
        // them. Hex keeps it short and it needs no quoting beyond the DQUOTEs of RFC 9110 §8.8.3.
        var tag = string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{modified.Ticks:x}\"");
        return new FileMetadata(key, length, FileMetadata.ToHttpDatePrecision(new DateTimeOffset(modified, TimeSpan.Zero)), new EntityTagHeaderValue(tag));
    }

    private string? ProbeRoot()
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(_realRoot).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return "the storage root does not exist";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "the storage root cannot be read: " + ex.GetType().Name;
        }
    }
}
