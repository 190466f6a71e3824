using System.Diagnostics;
using LargeFileGateway.Http;
using LargeFileGateway.Progress;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.Downloads;

/// <summary>What one request has come to so far; read once at the end for the log line, the metrics and progress.</summary>
internal sealed class DownloadExchange(HttpContext context)
{
    /// <summary>The status logged when no response was sent at all (the connection was closed before any header).</summary>
    public const int NoResponse = 0;

    public HttpContext Context { get; } = context;

    public long StartedTimestamp { get; } = Stopwatch.GetTimestamp();

    /// <summary>The normalized key, or "-" until the path has been accepted (a refused path is never logged raw).</summary>
    public string Key { get; set; } = "-";

    public RangeKind RangeKind { get; set; } = RangeKind.None;

    /// <summary>Body bytes written so far, counted per chunk (also when the download ends in an exception).</summary>
    public BodyProgress Body { get; set; } = new();

    public bool Aborted { get; set; }

    /// <summary>Storage failed after the response started (the connection was aborted, not the client's doing).</summary>
    public bool StorageFailed { get; set; }

    /// <summary>The gateway closed the connection on purpose before any header (an overloaded instance behind a proxy).</summary>
    public bool ClosedWithoutResponse { get; set; }

    /// <summary>An exception nobody expected is leaving the handler (the framework's exception handler answers it).</summary>
    public bool Unexpected { get; set; }

    public Transfer? Transfer => Body.Transfer;

    /// <summary>True when the answer is an X-Accel-Redirect: nginx sends the body, not the gateway.</summary>
    public bool Offloaded => Context.Response.Headers.ContainsKey(Offload.NginxAccelRedirect.HeaderName);

    /// <summary>How the request ended, for the access log and the metrics.</summary>
    public DownloadOutcome Outcome => StorageFailed || Unexpected || ClosedWithoutResponse ? DownloadOutcome.Failed
        : Aborted ? DownloadOutcome.Aborted
        : Offloaded ? DownloadOutcome.Offloaded
        : DownloadOutcome.Completed;

    /// <summary>From the request to the first body byte written; null when no body byte was written.</summary>
    public TimeSpan? TimeToFirstByte => Body.FirstByteTimestamp == 0 ? null : Stopwatch.GetElapsedTime(StartedTimestamp, Body.FirstByteTimestamp);

    /// <summary>The status the client really got, for the log line and the metrics.</summary>
    public int StatusCode
    {
        get
        {
            var response = Context.Response;
            if (ClosedWithoutResponse || (Aborted && !response.HasStarted && !Unexpected))
            {
                return NoResponse;
            }

            // The exception handler runs after this handler has ended and turns what has not started into a 500.
            return Unexpected && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        }
    }
}
