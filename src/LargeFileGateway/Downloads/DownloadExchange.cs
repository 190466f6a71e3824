using LargeFileGateway.Http;

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
}
