using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// The few Linux system calls the local provider needs and .NET does not expose: an open that cannot block on a FIFO
/// or a device, the file type of an open descriptor, and a read that refuses to wait for the disk. Source-generated
/// marshalling ([LibraryImport]), so the Native AOT build needs no runtime stubs. Linux only; callers check.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    // <fcntl.h>, the same on x86-64 and arm64.
    private const int OpenReadOnly = 0;
    private const int OpenNoControllingTerminal = 0x100;
    private const int OpenNonBlocking = 0x800;
    private const int OpenCloseOnExec = 0x80000;
    private const int NotOpenedYet = -2;

    private static int s_descriptorFolder = NotOpenedYet;

    // <linux/stat.h>, <linux/fs.h>
    private const int AtEmptyPath = 0x1000;
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMtime = 0x40;
    private const uint StatxCtime = 0x80;
    private const uint StatxInode = 0x100;
    private const uint StatxSize = 0x200;
    private const uint StatxIdentity = StatxType | StatxMtime | StatxCtime | StatxInode | StatxSize;
    private const ushort FileTypeMask = 0xF000;

    /// <summary>S_IFREG, a file type from <see cref="Describe"/>.</summary>
    public const int RegularFile = 0x8000;

    /// <summary>S_IFDIR, a file type from <see cref="Describe"/>.</summary>
    public const int Directory = 0x4000;
    private const int ReadNoWait = 0x8;
    private const int SetStatusFlags = 4;
    private const int AdviseSequentialAccess = 2;

    /// <summary>
    /// Opens <paramref name="path"/> for reading with O_NONBLOCK | O_NOCTTY | O_CLOEXEC: open() returns at once on a
    /// FIFO without a writer or a device node instead of waiting for it; the type check that follows refuses them
    /// before any read. Symlinks are followed (links inside the root are served); the real-path check decides.
    /// </summary>
    public static SafeFileHandle Open(string path, out int errno)
    {
        int descriptor;
        do
        {
            descriptor = OpenCore(path, OpenReadOnly | OpenNonBlocking | OpenNoControllingTerminal | OpenCloseOnExec);
            errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (errno == Errno.Interrupted);

        return new SafeFileHandle(descriptor, ownsHandle: descriptor >= 0);
    }

    /// <summary>
    /// Clears O_NONBLOCK once the descriptor is known to be a regular file, so that no file system that honours it on
    /// regular files (some FUSE ones do) turns a read into a spurious EAGAIN; errno 0 on success. F_SETFL with 0: of
    /// the flags it can change, O_NONBLOCK is the only one this descriptor was opened with.
    /// </summary>
    public static int MakeBlocking(SafeFileHandle handle)
        => Fcntl(handle, SetStatusFlags, 0) < 0 ? Marshal.GetLastPInvokeError() : 0;

    /// <summary>
    /// POSIX_FADV_SEQUENTIAL, as <see cref="FileOptions.SequentialScan"/> did before: a larger readahead window for
    /// the multi-GiB streams that are most of the bytes served. Advice only, so its result is ignored.
    /// </summary>
    public static void AdviseSequential(SafeFileHandle handle) => FileAdvise(handle, 0, 0, AdviseSequentialAccess);

    /// <summary>
    /// Type (S_IFMT bits), length, modification time and <see cref="FileIdentity"/> of an open file, from one
    /// statx(2); errno 0 on success.
    /// </summary>
    public static int Describe(SafeFileHandle handle, out int fileType, out long length, out DateTime modifiedUtc, out FileIdentity identity)
    {
        StatxBuffer buffer;
        byte emptyPath = 0;
        if (Statx(handle, &emptyPath, AtEmptyPath, StatxIdentity, &buffer) != 0)
        {
            (fileType, length, modifiedUtc, identity) = (0, 0, default, default);
            return Marshal.GetLastPInvokeError();
        }

        fileType = buffer.Mode & FileTypeMask;
        length = (long)buffer.Size;
        modifiedUtc = ToUtc(buffer.ModifiedSeconds, buffer.ModifiedNanoseconds);
        identity = buffer.Identity;
        return 0;
    }

    /// <summary>
    /// Type (S_IFMT bits) and <see cref="FileIdentity"/> of what <paramref name="path"/> (NUL-terminated UTF-8) names
    /// now, from one statx(2) and without opening it: with <paramref name="followLink"/>, of where a final symlink
    /// leads (as open() follows it); without, of the link itself. Links on the way are followed either way; errno 0
    /// on success.
    /// </summary>
    public static int DescribePath(ReadOnlySpan<byte> path, bool followLink, out int fileType, out FileIdentity identity)
    {
        StatxBuffer buffer;
        int result;
        fixed (byte* start = path)
        {
            result = StatxPath(AtCurrentDirectory, start, followLink ? 0 : AtSymlinkNoFollow, StatxIdentity, &buffer);
        }

        if (result != 0)
        {
            (fileType, identity) = (0, default);
            return Marshal.GetLastPInvokeError();
        }

        fileType = buffer.Mode & FileTypeMask;
        identity = buffer.Identity;
        return 0;
    }

    /// <summary>
    /// True when the descriptor's link in /proc/self/fd (<paramref name="descriptorName"/>, its number as NUL-terminated
    /// decimal) reads exactly <paramref name="expectedTarget"/>: one readlink(2) into the stack, no string made. False
    /// on any error.
    /// </summary>
    /// <remarks>
    /// The link is read relative to /proc/self/fd, held open once for the process (readlinkat), so the kernel looks up
    /// one name instead of walking /proc, self, fd and the number: under random ranges the walk was most of the
    /// readlink's cost (benchmarks/RESULTS.md tuning item 21). What the link says is the same either way. Where that
    /// folder cannot be opened, the whole path is read as before.
    /// </remarks>
    public static bool DescriptorLinkReads(ReadOnlySpan<byte> descriptorName, ReadOnlySpan<byte> expectedTarget)
    {
        // PATH_MAX; one byte more, so that a longer target cannot look equal by being cut.
        Span<byte> target = stackalloc byte[4097];
        nint read;
        var folder = DescriptorFolder;
        fixed (byte* name = descriptorName)
        fixed (byte* into = target)
        {
            if (folder >= 0)
            {
                read = ReadLinkAt(folder, name, into, (nuint)target.Length);
            }
            else
            {
                Span<byte> path = stackalloc byte[DescriptorFolderPath.Length + descriptorName.Length];
                DescriptorFolderPath.CopyTo(path);
                descriptorName.CopyTo(path[DescriptorFolderPath.Length..]);
                fixed (byte* whole = path)
                {
                    read = ReadLink(whole, into, (nuint)target.Length);
                }
            }
        }

        return read >= 0 && target[..(int)read].SequenceEqual(expectedTarget);
    }

    /// <summary>"/proc/self/fd/", the folder whose entries name the process's open descriptors.</summary>
    private static ReadOnlySpan<byte> DescriptorFolderPath => "/proc/self/fd/"u8;

    /// <summary>
    /// /proc/self/fd, opened on first use and kept for the life of the process (close-on-exec); -1 when it cannot be.
    /// "self" is resolved at the open, to this process, whose descriptors every thread shares. A failure that may pass
    /// (out of descriptors or memory) is tried again by a later request; any other keeps the full path for good.
    /// </summary>
    private static int DescriptorFolder
    {
        get
        {
            var folder = Volatile.Read(ref s_descriptorFolder);
            if (folder != NotOpenedYet)
            {
                return folder;
            }

            var opened = OpenFolder("/proc/self/fd", out var errno);
            if (opened < 0 && errno is Errno.TooManyOpenFiles or Errno.TooManyOpenFilesInSystem or Errno.OutOfMemory)
            {
                return -1;
            }

            if (Interlocked.CompareExchange(ref s_descriptorFolder, opened, NotOpenedYet) != NotOpenedYet && opened >= 0)
            {
                // Another thread opened it first; this one is not needed, and a failed close leaks nothing more.
                _ = Close(opened);
            }

            return Volatile.Read(ref s_descriptorFolder);
        }
    }

    /// <summary>
    /// Opens a folder read-only, close-on-exec; -1 and the errno on failure. No O_DIRECTORY: its value differs between
    /// x86-64 (0200000) and arm64 (040000, where 0200000 is O_DIRECT, which procfs refuses), and the only folder opened
    /// here is /proc's.
    /// </summary>
    private static int OpenFolder(string path, out int errno)
    {
        int descriptor;
        do
        {
            descriptor = OpenCore(path, OpenReadOnly | OpenCloseOnExec);
            errno = descriptor < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (errno == Errno.Interrupted);

        return descriptor < 0 ? -1 : descriptor;
    }

    /// <summary>
    /// A file time as a UTC <see cref="DateTime"/>, clamped to the range it can hold: tmpfs and btrfs accept times
    /// before year 1 or after 9999 (touch -d @300000000000), which must not make every request for the file a 500.
    /// </summary>
    internal static DateTime ToUtc(long seconds, uint nanoseconds)
    {
        var minSeconds = (DateTime.MinValue - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        var maxSeconds = ((DateTime.MaxValue - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond) - 1;
        var clamped = Math.Clamp(seconds, minSeconds, maxSeconds);
        var fraction = clamped == seconds ? nanoseconds / TimeSpan.NanosecondsPerTick : 0;
        return DateTime.UnixEpoch.AddTicks((clamped * TimeSpan.TicksPerSecond) + fraction);
    }

    /// <summary>
    /// preadv2(RWF_NOWAIT): the bytes at <paramref name="offset"/> that are already in the page cache, or -1 with
    /// <paramref name="errno"/> EAGAIN when reading them would wait for the device (EOPNOTSUPP where the file system
    /// cannot tell).
    /// </summary>
    public static int ReadIfCached(SafeFileHandle handle, Span<byte> buffer, long offset, out int errno)
        => Read(handle, buffer, offset, ReadNoWait, out errno);

    /// <summary>A plain positional read (preadv2 without flags, i.e. pread), which may wait for the device.</summary>
    public static int Read(SafeFileHandle handle, Span<byte> buffer, long offset, out int errno)
        => Read(handle, buffer, offset, 0, out errno);

    private static int Read(SafeFileHandle handle, Span<byte> buffer, long offset, int flags, out int errno)
    {
        fixed (byte* start = buffer)
        {
            var vector = new IoVector { Base = start, Length = (nuint)buffer.Length };
            nint read;
            do
            {
                read = PreadV2(handle, &vector, 1, offset, flags);
                errno = read < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (errno == Errno.Interrupted);

            return (int)read;
        }
    }

    [LibraryImport(Library, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenCore(string path, int flags);

    // fcntl is variadic; with integer arguments the x86-64 and arm64 calling conventions pass them as for a fixed one.
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle handle, int command, int argument);

    [LibraryImport(Library, EntryPoint = "posix_fadvise")]
    private static partial int FileAdvise(SafeFileHandle handle, long offset, long length, int advice);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(SafeFileHandle directory, byte* path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true)]
    private static partial int StatxPath(int directory, byte* path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "readlink", SetLastError = true)]
    private static partial nint ReadLink(byte* path, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "readlinkat", SetLastError = true)]
    private static partial nint ReadLinkAt(int directory, byte* path, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "close")]
    private static partial int Close(int descriptor);

    [LibraryImport(Library, EntryPoint = "preadv2", SetLastError = true)]
    private static partial nint PreadV2(SafeFileHandle handle, IoVector* vectors, int count, long offset, int flags);

    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct statx (include/uapi/linux/stat.h): 256 bytes, the same layout on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(96)]
        public long ChangedSeconds;

        [FieldOffset(104)]
        public uint ChangedNanoseconds;

        [FieldOffset(112)]
        public long ModifiedSeconds;

        [FieldOffset(120)]
        public uint ModifiedNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;

        public readonly FileIdentity Identity
            => new(((ulong)DeviceMajor << 32) | DeviceMinor, Inode, (long)Size, ModifiedSeconds, ModifiedNanoseconds, ChangedSeconds, ChangedNanoseconds);
    }
}
