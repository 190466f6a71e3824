namespace LargeFileGateway.Storage.Local;

/// <summary>
/// Which file an open descriptor or a path leads to, and which version of it, from one statx: device and inode name
/// the file; length, modification time and change time name its version. Two equal identities mean the same inode,
/// not written to, truncated, renamed, linked, unlinked or re-permissioned in between (each of those moves ctime),
/// to the resolution of the file system's clock: the same bound the ETag has (length and mtime).
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Length, long ModifiedSeconds, uint ModifiedNanoseconds, long ChangedSeconds, uint ChangedNanoseconds);
