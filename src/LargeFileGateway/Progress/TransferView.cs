namespace LargeFileGateway.Progress;

/// <summary>A transfer as watchers see it: the JSON <c>data</c> of started, progress and end events.</summary>
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
    string Outcome);
