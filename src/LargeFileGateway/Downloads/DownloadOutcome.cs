namespace LargeFileGateway.Downloads;

/// <summary>How a request to <c>/files</c> ended, for the access log and the metrics.</summary>
internal enum DownloadOutcome
{
    /// <summary>The whole answer was sent (a body, or an answer without one: 304, 404, 416).</summary>
    Completed,

    /// <summary>The client left before the end; the bytes logged are those really sent.</summary>
    Aborted,

    /// <summary>Storage failed mid-body or something unexpected happened; the connection was aborted or a 500 sent.</summary>
    Failed,

    /// <summary>The gateway answered with X-Accel-Redirect: nginx sent the body, so the gateway does not know its size.</summary>
    Offloaded,
}
