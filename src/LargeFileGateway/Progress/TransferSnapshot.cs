namespace LargeFileGateway.Progress;

/// <summary>The <c>snapshot</c> event: everything a watcher needs to draw the page from scratch.</summary>
internal sealed record TransferSnapshot(
    IReadOnlyList<TransferView> Active,
    IReadOnlyList<TransferView> Recent,
    TransferTotals Totals);

/// <summary>Counters since the gateway started, plus the current aggregate rate of the active transfers.</summary>
internal sealed record TransferTotals(
    int Active,
    long BytesPerSecond,
    long Completed,
    long Aborted,
    long Failed,
    long BytesSent);
