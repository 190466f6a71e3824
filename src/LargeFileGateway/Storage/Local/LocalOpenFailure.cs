namespace LargeFileGateway.Storage.Local;

/// <summary>Why a local file could not be opened, as the request sees it.</summary>
internal enum LocalOpenFailure
{
    /// <summary>Not a file we serve (missing, a folder, a FIFO, a device, a socket, a link loop, a name too long): 404.</summary>
    NotFound,

    /// <summary>This instance ran out of file descriptors or memory: another instance can serve it.</summary>
    InstanceOverloaded,

    /// <summary>The disk or network file system failed: a storage outage (503).</summary>
    StorageFailed,
}
