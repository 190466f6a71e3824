using LargeFileGateway.Http;
using LargeFileGateway.Progress;

namespace LargeFileGateway.Downloads;

/// <summary>What one request has come to so far; read once at the end for the log line and the metrics.</summary>
internal sealed class DownloadExchange(HttpContext context)
{
    public HttpContext Context { get; } = context;

    /// <summary>The normalized key, or "-" until the path has been accepted (a refused path is never logged raw).</summary>
    public string Key { get; set; } = "-";

    public RangeKind RangeKind { get; set; } = RangeKind.None;

    public long BytesSent { get; set; }

    public bool Aborted { get; set; }

    /// <summary>Storage failed after the response started (the connection was aborted, not the client's doing).</summary>
    public bool StorageFailed { get; set; }

    /// <summary>The live-progress entry, from the moment the body starts.</summary>
    public Transfer? Transfer { get; set; }
}
