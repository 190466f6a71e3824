namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Linux error numbers (asm-generic/errno-base.h, errno.h) and what each means for a download. .NET puts the raw
/// errno of a failed Unix call in <see cref="Exception.HResult"/> of the IOException it throws, so exceptions are
/// classified by the same table, never by their message text.
/// </summary>
internal static class Errno
{
    public const int NotPermitted = 1;            // EPERM
    public const int NoSuchFile = 2;              // ENOENT
    public const int Interrupted = 4;             // EINTR
    public const int InputOutput = 5;             // EIO
    public const int NoSuchDeviceOrAddress = 6;   // ENXIO: a socket file, a FIFO or device without its other end
    public const int WouldBlock = 11;             // EAGAIN
    public const int OutOfMemory = 12;            // ENOMEM
    public const int AccessDenied = 13;           // EACCES
    public const int NoSuchDevice = 19;           // ENODEV
    public const int NotADirectory = 20;          // ENOTDIR
    public const int IsADirectory = 21;           // EISDIR
    public const int InvalidArgument = 22;        // EINVAL
    public const int TooManyOpenFilesInSystem = 23; // ENFILE
    public const int TooManyOpenFiles = 24;       // EMFILE
    public const int NameTooLong = 36;            // ENAMETOOLONG
    public const int NotImplemented = 38;         // ENOSYS
    public const int TooManySymbolicLinks = 40;   // ELOOP
    public const int NotSupported = 95;           // EOPNOTSUPP
    public const int Stale = 116;                 // ESTALE: the NFS file handle no longer names a file

    /// <summary>What a failed open means for the request.</summary>
    public static LocalOpenFailure ClassifyOpen(int errno) => errno switch
    {
        // The client named something that is not a readable file of ours: 404, logged in one line.
        NoSuchFile or NotADirectory or IsADirectory or AccessDenied or NotPermitted or NoSuchDeviceOrAddress
            or NoSuchDevice or NameTooLong or TooManySymbolicLinks or NotSupported => LocalOpenFailure.NotFound,

        // EAGAIN: with O_NONBLOCK, a regular file someone holds a write lease on (Samba oplocks, NFS delegations)
        // answers this instead of waiting for the lease break, which the open has just started: the file exists and
        // will be readable shortly, so a 503 with Retry-After (a cacheable 404 would make clients give up).
        WouldBlock => LocalOpenFailure.StorageFailed,

        // This process (or host) ran out of descriptors or memory: another instance can serve it; the storage is fine.
        TooManyOpenFiles or TooManyOpenFilesInSystem or OutOfMemory => LocalOpenFailure.InstanceOverloaded,

        // EIO, ESTALE, ETIMEDOUT, ... : the disk or the network file system failed.
        _ => LocalOpenFailure.StorageFailed,
    };

    /// <summary>The symbolic name of <paramref name="errno"/> for a log line ("E" + number for the rest).</summary>
    public static string Name(int errno) => errno switch
    {
        NotPermitted => "EPERM",
        NoSuchFile => "ENOENT",
        InputOutput => "EIO",
        NoSuchDeviceOrAddress => "ENXIO",
        WouldBlock => "EAGAIN",
        OutOfMemory => "ENOMEM",
        AccessDenied => "EACCES",
        NoSuchDevice => "ENODEV",
        NotADirectory => "ENOTDIR",
        IsADirectory => "EISDIR",
        TooManyOpenFilesInSystem => "ENFILE",
        TooManyOpenFiles => "EMFILE",
        NameTooLong => "ENAMETOOLONG",
        TooManySymbolicLinks => "ELOOP",
        NotSupported => "EOPNOTSUPP",
        Stale => "ESTALE",
        _ => "E" + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
