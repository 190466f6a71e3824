namespace LargeFileGateway.Progress;

/// <summary>
/// One download being tracked. The body loop only ever calls <see cref="AddBytesSent"/>: one interlocked add per
/// chunk, no lock and no allocation, so tracking costs a download nothing it would notice. The registry's sampler
/// reads the counter a few times per second and turns it into coalesced progress events. A throttled download also
/// tells it its cap once, at the start, and bumps a second counter each time it really waited on a bucket.
/// </summary>
internal sealed class Transfer
{
    private long _bytesSent;
    private long _throttledWaits;
    private long _throttledWaitsAtSample;
    private long _sampledTimestamp;
    private long _rateLimit;

    public Transfer(long id, string key, string client, string range, long totalBytes, DateTimeOffset startedAt, long startedTimestamp)
    {
        Id = id;
        Key = key;
        Client = client;
        Range = range;
        TotalBytes = totalBytes;
        StartedAt = startedAt;
        SampledTimestamp = startedTimestamp;
    }

    public long Id { get; }

    public string Key { get; }

    public string Client { get; }

    /// <summary>What was asked for, as shown to operators: <c>bytes 0-99/1000</c>, <c>whole</c>, <c>3 ranges</c>.</summary>
    public string Range { get; }

    /// <summary>Bytes of file content this response will carry (multipart part headers are not counted).</summary>
    public long TotalBytes { get; }

    public DateTimeOffset StartedAt { get; }

    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Bytes per second the download may take at most (the lowest of the rates that apply); 0: no cap.</summary>
    /// <remarks>Read before <see cref="LimitedBy"/>: once it is not 0, the reason written before it is visible too.</remarks>
    public long RateLimit => Volatile.Read(ref _rateLimit);

    /// <summary>What sets <see cref="RateLimit"/>: <c>download</c>, <c>link</c> (a signed link's <c>rate=</c>), <c>client</c>, or null.</summary>
    public string? LimitedBy { get; private set; }

    /// <summary>
    /// True when the download waited on a bucket during the last sample interval: its cap, not the client or the
    /// storage, is what holds it back right now.
    /// </summary>
    public bool Throttled { get; private set; }

    // Sampler state: touched only by the registry, under its lock.
    internal long SampledBytes { get; set; }

    /// <summary>
    /// Each sample also closes the interval the <see cref="Throttled"/> flag covers, so that the flag and the rate of
    /// one progress event describe the same interval; no other hook into the sampler is needed.
    /// </summary>
    internal long SampledTimestamp
    {
        get => _sampledTimestamp;
        set
        {
            _sampledTimestamp = value;
            var waits = Volatile.Read(ref _throttledWaits);
            Throttled = waits != _throttledWaitsAtSample;
            _throttledWaitsAtSample = waits;
        }
    }

    internal double BytesPerSecond { get; set; }

    /// <summary>Called from the body loop after each chunk is handed to the response.</summary>
    public void AddBytesSent(long count) => Interlocked.Add(ref _bytesSent, count);

    /// <summary>Called once, before the first byte, by the download's throttle.</summary>
    public void LimitTo(long bytesPerSecond, string limitedBy)
    {
        LimitedBy = limitedBy;
        Volatile.Write(ref _rateLimit, bytesPerSecond);
    }

    /// <summary>
    /// Called by the throttle each time a chunk really waited on a bucket (not when its bytes were there): one
    /// writer, the download's own body loop, so a plain increment published with a volatile write is enough.
    /// </summary>
    public void AddThrottledWait() => Volatile.Write(ref _throttledWaits, _throttledWaits + 1);
}
