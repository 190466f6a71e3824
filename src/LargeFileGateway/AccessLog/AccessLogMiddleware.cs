using System.Diagnostics;

namespace LargeFileGateway.AccessLog;

/// <summary>
/// The access-log line of every request outside <c>/files</c> (probes, metrics, events, the dashboard). Downloads
/// write their own line when they end (Downloads/DownloadHandler), with the bytes really sent, the range and the
/// outcome, so they are skipped here and never logged twice. Outside the exception handler, so a 500 is logged as one.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer)
{
    public const string DownloadsPath = "/files";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (!context.Request.Path.StartsWithSegments(DownloadsPath))
            {
                var response = context.Response;
                writer.TryWrite(AccessLogEntries.Create(context, response.StatusCode, response.ContentLength ?? (response.HasStarted ? null : 0),
                    Stopwatch.GetElapsedTime(started), "-", context.RequestAborted.IsCancellationRequested ? "aborted" : "completed"));
            }
        }
    }
}
