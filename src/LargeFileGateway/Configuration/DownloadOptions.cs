namespace LargeFileGateway.Configuration;

/// <summary>How downloads are answered and streamed. Bound from <c>Gateway:Download</c>.</summary>
internal sealed class DownloadOptions
{
    public const string SectionName = "Gateway:Download";

    /// <summary>Smallest accepted chunk, in bytes: below one memory-pool block, the per-chunk overhead dominates.</summary>
    public const int MinChunkSizeBytes = 4 * 1024;

    /// <summary>Largest accepted chunk, in bytes: per-connection memory is bounded by about two chunks.</summary>
    public const int MaxChunkSizeBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes read from storage and written to the response per step, in bytes. Each download holds about
    /// this much memory while its client is slow. 64 KiB, where ASP.NET Core and YARP settled.
    /// </summary>
    [NumberRange(MinChunkSizeBytes, MaxChunkSizeBytes, ErrorMessage = SectionName + ":ChunkSizeBytes must be between {1} and {2}.")]
    public int ChunkSizeBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Bytes per step until the client has taken 8 MiB within 4 s (2 MiB/s; per connection on HTTP/1.1; Streaming/ClientPace): a slow download
    /// then holds about this plus <see cref="ResponseWriteBufferBytes"/> in Kestrel's pool blocks, where a fast one
    /// keeps the larger chunk and its lower cost per byte. 8 KiB: with the 8 KiB write buffer, 10,000 readers at 20 KiB/s
    /// peak at 462 MiB against 523 with 16 KiB each (benchmarks/RESULTS.md, slow readers at scale).
    /// A value at or above <see cref="ChunkSizeBytes"/> turns it off. Not used when
    /// <c>Gateway:Limits:MinClientRate</c> is set: that check is made per chunk, and its strictness follows the chunk.
    /// </summary>
    [NumberRange(MinChunkSizeBytes, MaxChunkSizeBytes, ErrorMessage = SectionName + ":SlowClientChunkSizeBytes must be between {1} and {2}.")]
    public int SlowClientChunkSizeBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// Most bytes a fast client's download writes per flush, in whole chunks (rounded down). Each flush hands the bytes
    /// to the socket's send loop and waits for it, which costs about as much whatever its size: a 4 GiB stream on
    /// loopback took 0.68 x the CPU per byte with up to 1 MiB per flush against a flush per 64 KiB chunk, an 8 GiB one
    /// 0.51 x (benchmarks/RESULTS.md, tuning item 23).
    /// A client gets as many chunks per flush as it takes in 4 ms at its pace (a power of two, read into one segment),
    /// and only while <see cref="FastClientFlushBudgetBytes"/> has room. Not for the first flush of a response, a
    /// throttled download (any <c>Gateway:Limits</c> rate), nor with <c>Gateway:Limits:IdleWriteTimeout</c> or
    /// <c>MinClientRate</c>, which judge each flush. At or below <see cref="ChunkSizeBytes"/>, every chunk is flushed.
    /// </summary>
    [NumberRange(MinChunkSizeBytes, 64 * 1024 * 1024, ErrorMessage = SectionName + ":FastClientFlushBytes must be between {1} and {2}.")]
    public int FastClientFlushBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes that all downloads together may write ahead of flushes still waiting for their clients, as chunks gathered
    /// for a fast client (<see cref="FastClientFlushBytes"/>). A client that stops reading mid-flush holds its flush until
    /// it reads on or the connection ends; this bounds what all of them hold, and once it is spent downloads flush every
    /// chunk. 0 turns the gathering off.
    /// </summary>
    [NumberRange(0, 1024 * 1024 * 1024, ErrorMessage = SectionName + ":FastClientFlushBudgetBytes must be between {1} and {2}.")]
    public int FastClientFlushBudgetBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Bytes of response a connection may hold in user space before a flush waits for the socket (Kestrel's socket
    /// transport <c>MaxWriteBufferSize</c>, whose own default is 64 KiB; writing resumes below half of it). Every
    /// download whose client is slower than the gateway keeps its buffer full, so this is the bulk of memory per
    /// slow connection; the kernel's socket buffer, sized by TCP autotuning, is what absorbs the bandwidth-delay
    /// product. 8 KiB: a fast download's flushes are sent whole whatever this is (4 GiB streams at 8, 16 and 64 KiB ran
    /// at the same speed side by side, with a flush per 64 KiB chunk), so it only decides what a slow one holds. Unset, it applies only
    /// when no endpoint speaks TLS: SslStream's records need Kestrel's 64 KiB to be sent at speed (Hosting/TlsEndpointsConfigured).
    /// </summary>
    [NumberRange(MinChunkSizeBytes, 16 * 1024 * 1024, ErrorMessage = SectionName + ":ResponseWriteBufferBytes must be between {1} and {2}.")]
    public int ResponseWriteBufferBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// Most ranges one request may ask for after coalescing; above it the Range field is ignored and the whole
    /// file is sent (RFC 9110 §14.2, CVE-2011-3192).
    /// </summary>
    [NumberRange(1, 1000, ErrorMessage = SectionName + ":MaxRanges must be between {1} and {2}.")]
    public int MaxRanges { get; set; } = 16;

    /// <summary>
    /// The Cache-Control sent with files. The default lets clients keep a copy but revalidate it (a cheap 304
    /// thanks to the validators), and no-transform keeps proxies from recompressing bytes that ranges index into.
    /// Empty sends no Cache-Control.
    /// </summary>
    [NoControlCharacters(ErrorMessage = SectionName + ":CacheControl must not contain control characters.")]
    public string CacheControl { get; set; } = "no-cache, no-transform";

    /// <summary>
    /// Sends <c>X-Accel-Buffering: no</c> so that nginx streams the download instead of spooling it to its temp
    /// files (whose default 1 GiB cap breaks larger downloads).
    /// </summary>
    public bool DisableProxyBuffering { get; set; } = true;

    /// <summary>Extra or overriding extension → media type mappings, for example <c>".log": "text/plain"</c>.</summary>
    [MediaTypeMap(SectionName + ":ContentTypes")]
    public Dictionary<string, string> ContentTypes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
