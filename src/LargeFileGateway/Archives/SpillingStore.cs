using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Archives;

/// <summary>
/// Bytes appended once, then read and patched at any offset: in memory up to a limit, past it in a temporary file.
/// What lets an archive of a million members cost the same memory as one of a thousand: its member table goes to
/// disk (the page cache keeps it warm) instead of the managed heap.
/// </summary>
/// <remarks>
/// <para>Two phases. While appending, bytes collect in memory, then, past the limit, in a 64 KiB write buffer in front
/// of the file. <see cref="Seal"/> flushes it; after that the store is fixed in length, and reads and in-place writes
/// (a CRC-32 slot) are positional (pread/pwrite), so several readers may use it at once.</para>
/// <para>The file is unlinked as soon as it is created (on Unix): it has no name, nothing can open it, and it
/// vanishes with its handle, also when the process dies. On Windows it is deleted on close.</para>
/// </remarks>
internal sealed class SpillingStore : IDisposable
{
    private const int WriteBufferBytes = 64 * 1024;

    private readonly int _memoryLimit;
    private readonly string _folder;
    private byte[] _memory;
    private SafeFileHandle? _file;
    private byte[]? _pending;
    private int _pendingLength;
    private long _length;
    private bool _sealed;

    /// <param name="memoryLimit">Bytes kept in memory at most; past it everything goes to a temporary file.</param>
    /// <param name="folder">Where the temporary file is made.</param>
    public SpillingStore(int memoryLimit, string folder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memoryLimit);
        _memoryLimit = memoryLimit;
        _folder = folder;
        _memory = memoryLimit == 0 ? [] : new byte[Math.Min(memoryLimit, 4096)];
    }

    public long Length => _length;

    /// <summary>True once the bytes went to a temporary file.</summary>
    public bool Spilled => _file is not null;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        if (_sealed)
        {
            throw new InvalidOperationException("The store is sealed.");
        }

        if (_file is null && _length + bytes.Length <= _memoryLimit)
        {
            if (_length + bytes.Length > _memory.Length)
            {
                Array.Resize(ref _memory, (int)Math.Min(_memoryLimit, Math.Max(_memory.Length * 2L, _length + bytes.Length)));
            }

            bytes.CopyTo(_memory.AsSpan((int)_length));
            _length += bytes.Length;
            return;
        }

        if (_file is null)
        {
            Spill();
        }

        if (_pendingLength + bytes.Length > _pending!.Length)
        {
            FlushPending();
        }

        if (bytes.Length > _pending!.Length)
        {
            RandomAccess.Write(_file!, bytes, _length);
        }
        else
        {
            bytes.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += bytes.Length;
        }

        _length += bytes.Length;
    }

    /// <summary>Ends the appending phase: from here on the store is read and patched in place.</summary>
    public void Seal()
    {
        if (_file is not null)
        {
            FlushPending();
            ArrayPool<byte>.Shared.Return(_pending!);
            _pending = null;
        }

        _sealed = true;
    }

    /// <summary>Reads <paramref name="destination"/>'s length of bytes from <paramref name="offset"/>; sealed stores only.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (_file is null)
        {
            _memory.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }

        var done = 0;
        while (done < destination.Length)
        {
            var read = RandomAccess.Read(_file, destination[done..], offset + done);
            if (read == 0)
            {
                throw new IOException("The archive's member table ended early.");
            }

            done += read;
        }
    }

    /// <summary>Overwrites bytes already appended; sealed stores only.</summary>
    public void Write(long offset, ReadOnlySpan<byte> bytes)
    {
        CheckRange(offset, bytes.Length);
        if (_file is null)
        {
            bytes.CopyTo(_memory.AsSpan((int)offset));
            return;
        }

        RandomAccess.Write(_file, bytes, offset);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }

        _memory = null!;
    }

    private void CheckRange(long offset, int count)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        if (!_sealed)
        {
            throw new InvalidOperationException("The store is still being appended to.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, _length);
    }

    private void Spill()
    {
        var path = Path.Combine(_folder, "lfg-archive-" + Guid.NewGuid().ToString("N") + ".members");
        var options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None;
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, options);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }

        if (_length > 0)
        {
            RandomAccess.Write(_file, _memory.AsSpan(0, (int)_length), 0);
        }

        _memory = [];
        _pending = ArrayPool<byte>.Shared.Rent(WriteBufferBytes);
        _pendingLength = 0;
    }

    private void FlushPending()
    {
        if (_pendingLength > 0)
        {
            RandomAccess.Write(_file!, _pending.AsSpan(0, _pendingLength), _length - _pendingLength);
            _pendingLength = 0;
        }
    }
}
