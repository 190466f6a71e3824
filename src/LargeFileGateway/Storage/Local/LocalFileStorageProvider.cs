using System.Globalization;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Serves files from one folder. A key must be a plain relative path (no rooted path, no empty, "." or ".." segment, no
/// dotfile or dot-folder); the real location of every opened file is then asked of the kernel and checked against the
/// real root, so neither a symlink nor a rename between the two steps can lead out of it or onto a dotfile.
/// </summary>
internal sealed class LocalFileStorageProvider : IStorageProvider, IOpenableStorage
{
    private const FileShare ShareWithWriters = FileShare.ReadWrite | FileShare.Delete;

    private readonly string _realRoot;

    public LocalFileStorageProvider(string root)
    {
        var fullRoot = Path.GetFullPath(root);
        _realRoot = RealPath.OfPath(fullRoot) ?? throw new DirectoryNotFoundException("The storage root does not exist.");
    }

    /// <summary>The real (link-free) path of the folder being served.</summary>
    public string RealRoot => _realRoot;

    public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = TryOpen(key);
        return ValueTask.FromResult(handle is null ? null : Describe(key, handle));
    }

    public ValueTask<OpenedFile?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var handle = TryOpen(key);
        if (handle is null)
        {
            return ValueTask.FromResult<OpenedFile?>(null);
        }

        try
        {
            return ValueTask.FromResult<OpenedFile?>(new OpenedLocalFile(handle, Describe(key, handle)));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        var handle = TryOpen(file.Key) ?? throw new StorageObjectChangedException("The file is gone.");
        try
        {
            // Same length and modification time, or the bytes may belong to another version.
            if (!Describe(file.Key, handle).ETag.Compare(file.ETag, useStrongComparison: true))
            {
                throw new StorageObjectChangedException("The file changed since its metadata was read.");
            }

            // bufferSize 0: no FileStream buffer; each read is one positional read (pread) straight into the
            // caller's memory, which for downloads is the response pipe's own buffer.
            Stream stream = new FileStream(handle, FileAccess.Read, bufferSize: 0) { Position = offset };
            return ValueTask.FromResult(stream);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a key for reading, or null when it is missing, excluded, a folder, or really outside the root.</summary>
    private SafeFileHandle? TryOpen(string key)
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

        var physicalPath = Path.Join(_realRoot, key);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(physicalPath, FileMode.Open, FileAccess.Read, ShareWithWriters, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // Missing, a folder (opening one is refused as access denied), or not readable by us: all look like
            // "no such file".
            return null;
        }
        catch (IOException ex)
        {
            throw new StorageUnavailableException("The local file system failed to open a file.", ex);
        }

        var real = RealPath.OfHandle(handle, physicalPath);
        if (real is null || !RealPath.IsInside(real, _realRoot) || IsExcludedOnTheWay(real))
        {
            handle.Dispose();
            return null;
        }

        return handle;
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

    private static FileMetadata Describe(string key, SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        var modified = File.GetLastWriteTimeUtc(handle);

        // A strong validator from length and the full-resolution modification time: any write changes one of
        // them. Hex keeps it short and it needs no quoting beyond the DQUOTEs of RFC 9110 §8.8.3.
        var tag = string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{modified.Ticks:x}\"");
        return new FileMetadata(key, length, FileMetadata.ToHttpDatePrecision(new DateTimeOffset(modified, TimeSpan.Zero)), new EntityTagHeaderValue(tag));
    }
}
