namespace LargeFileGateway.Configuration;

/// <summary>
/// Integrity digests of every file version (RFC 9530 Repr-Digest, RFC 3230 Digest, <c>.sha256</c> answers). Bound from
/// <c>Gateway:Digests</c>.
/// </summary>
internal sealed class DigestsOptions
{
    public const string SectionName = "Gateway:Digests";

    /// <summary>Algorithm names <see cref="Algorithms"/> accepts, as RFC 9530 §5 registers them.</summary>
    public static readonly string[] KnownAlgorithms = ["sha-256", "sha-512"];

    /// <summary>
    /// Off by default: on, the gateway reads every file a client asks for once more in the background (throttled by
    /// <see cref="ReadRate"/>) and keeps what it learnt in <see cref="Store"/>.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The folder of the content-facts store, one small file per file version. Empty: the user's local data folder
    /// (<c>$XDG_DATA_HOME</c> or <c>~/.local/share</c> on Linux) + <c>LargeFileGateway/digests</c>, or the temp folder
    /// when the process has no home.
    /// </summary>
    public string Store { get; set; } = string.Empty;

    /// <summary>File versions the store keeps at most; past it the oldest entries are dropped (recomputed when asked again).</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Files hashed at the same time. One by default, so hashing costs at most one disk stream.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// Bytes per second each hashing reads at most, so that it does not starve downloads of the disk or the origin
    /// (64 MiB/s: a 4 GiB image in about a minute). 0: as fast as storage answers.
    /// </summary>
    public long ReadRate { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Digests computed and kept: <c>sha-256</c> always; add <c>sha-512</c> to have it too (the same read computes both).
    /// </summary>
    public string[] Algorithms { get; set; } = ["sha-256"];

    /// <summary>At start, queue every file of the root (local storage only) instead of waiting for its first request.</summary>
    public bool Warm { get; set; }

    /// <summary>Versions waiting to be hashed at most; a request past it is not queued (a later request queues it again).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The Retry-After of a <c>.sha256</c> answer while the digest is still being computed.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest publisher sidecar (<c>name.sha256</c>) read, in bytes; a larger one is ignored.</summary>
    public int MaxSidecarBytes { get; set; } = 64 * 1024;
}
