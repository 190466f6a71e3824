namespace LargeFileGateway.Configuration;

/// <summary>
/// How the local provider keeps a slow or hung disk (a failing drive, a network file system) from stalling the
/// gateway. Bound from <c>Gateway:Storage:Local</c>. A read the page cache can answer runs inline; a read that would
/// wait for the device runs on one of <see cref="IoThreads"/> dedicated threads, never on the thread pool that
/// Kestrel, timers and /events need.
/// </summary>
internal sealed class LocalStorageOptions
{
    public const string SectionName = "Gateway:Storage:Local";

    /// <summary>
    /// Most reads that may wait for the device at once, each on a dedicated thread (created when needed, ended after
    /// a minute idle). A read that cannot hang (page cache) does not count. A read stuck in the kernel cannot be
    /// cancelled and keeps its thread; each request holds at most one such read, so 64 downloads stuck on a dead
    /// mount take 64 threads and the default leaves as many for other files. More reads than threads wait their turn
    /// (each within ReadTimeout); a read fails at once as "instance overloaded" only when stuck reads hold every
    /// thread. Count of threads; 1-1024.
    /// </summary>
    [NumberRange(1, 1024, ErrorMessage = SectionName + ":IoThreads must be between {1} and {2}.")]
    public int IoThreads { get; set; } = 128;

    /// <summary>
    /// Longest one read may wait for the device before the request gives up on it: 504 before the first byte, an
    /// aborted connection after it. Well above a healthy disk under load and a spun-down drive waking (seconds),
    /// well below the minutes a hard NFS mount retries for. Duration (hh:mm:ss); 1 ms - 1 h.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "01:00:00", ErrorMessage = SectionName + ":ReadTimeout must be between {1} and {2}.")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most descriptors of served files kept open between requests (Linux), so that a file asked for again (random
    /// ranges, a download manager's parallel parts) is revalidated with a statx of its path and a readlink of its
    /// descriptor instead of being opened, checked and closed. Every request proves its entry current before it reads.
    /// When the cache is full, a new file takes the place of the least recently used entry no request holds (among a
    /// few picked at random); when those are all held, it is opened for its request alone, as with 0 (off). Count of
    /// descriptors; 0-65536 (each is one of the process's open-file limit; when it runs out, the cache is emptied
    /// before the open is refused).
    /// </summary>
    [NumberRange(0, 65536, ErrorMessage = SectionName + ":OpenFileCacheMaxFiles must be between {1} and {2}.")]
    public int OpenFileCacheMaxFiles { get; set; } = 1024;

    /// <summary>
    /// A cached descriptor unused this long is closed (nginx's open_file_cache inactive=20s), so a deleted file's space
    /// is given back within about twice this time even if nobody asks for it again. Duration (hh:mm:ss); 1 s - 1 h.
    /// </summary>
    [TimeSpanRange("00:00:01", "01:00:00", ErrorMessage = SectionName + ":OpenFileCacheIdleTimeout must be between {1} and {2}.")]
    public TimeSpan OpenFileCacheIdleTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
