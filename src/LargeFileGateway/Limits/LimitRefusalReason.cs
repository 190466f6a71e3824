namespace LargeFileGateway.Limits;

/// <summary>Why a fair-use limit refused a download (the metrics tag and the log say which key was hit).</summary>
internal enum LimitRefusalReason
{
    /// <summary>The identity already has <c>DownloadsPerClient</c> downloads running: 429.</summary>
    DownloadsPerClient,

    /// <summary>The instance already has <c>Downloads</c> downloads running: 503.</summary>
    Downloads,

    /// <summary>The identity used up <c>RequestsPerClientPerMinute</c>: 429.</summary>
    RequestsPerClientPerMinute,

    /// <summary>The identity already has <c>WatchersPerClient</c> streams of <c>/events</c> open: 429.</summary>
    WatchersPerClient,

    /// <summary>The instance already has <c>Watchers</c> streams of <c>/events</c> open: 503.</summary>
    Watchers,
}
