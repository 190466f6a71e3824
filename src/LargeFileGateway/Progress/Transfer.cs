namespace LargeFileGateway.Progress;

/// <summary>
/// One download being tracked. The body loop only ever calls <see cref="AddBytesSent"/>: one interlocked add per
/// chunk, no lock and no allocation, so tracking costs a download nothing it would notice. The registry's sampler
/// reads the counter a few times per second and turns it into coalesced progress events.
/// </summary>
internal sealed class Transfer
{
    private long _bytesSent;

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

    // Sampler state: touched only by the registry, under its lock.
    internal long SampledBytes { get; set; }

    internal long SampledTimestamp { get; set; }

    internal double BytesPerSecond { get; set; }

    /// <summary>Called from the body loop after each chunk is handed to the response.</summary>
    public void AddBytesSent(long count) => Interlocked.Add(ref _bytesSent, count);
}
