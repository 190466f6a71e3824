namespace LargeFileGateway.Progress;

/// <summary>
/// A transfer as watchers see it: the JSON <c>data</c> of started, progress and end events. <see cref="RateLimit"/>
/// is the cap in bytes per second (0: none), <see cref="LimitedBy"/> what sets it (<c>download</c>, <c>link</c>,
/// <c>client</c> or null), <see cref="Throttled"/> whether the cap held it back during the last sample interval.
/// </summary>
internal sealed record TransferView(
    long Id,
    string Key,
    string Client,
    string Range,
    long BytesSent,
    long TotalBytes,
    long BytesPerSecond,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Outcome,
    long RateLimit,
    string? LimitedBy,
    bool Throttled);
