using LargeFileGateway.Downloads;
using LargeFileGateway.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LargeFileGateway.AccessLog;

/// <summary>Builds an <see cref="AccessLogEntry"/> from a request that has ended, from values it already holds.</summary>
internal static class AccessLogEntries
{
    public static AccessLogEntry Create(HttpContext context, int status, long? bytesSent, TimeSpan duration, string rangeKind, string outcome)
    {
        var request = context.Request;
        var headers = request.Headers;
        return new AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            RemoteAddress = context.Connection.RemoteIpAddress,
            Method = request.Method,

            // The target as sent (Kestrel keeps it), like nginx's $request: not re-encoded from the decoded path.
            Target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/",
            Protocol = request.Protocol,
            Status = status,
            BytesSent = bytesSent,
            Referer = NullIfEmpty(headers.Referer.ToString()),
            UserAgent = NullIfEmpty(headers.UserAgent.ToString()),
            Duration = duration,
            Range = NullIfEmpty(headers.Range.ToString()),
            RangeKind = rangeKind,
            Outcome = outcome,
        };
    }

    /// <summary>The range kind as logged: lower case, no allocation.</summary>
    public static string RangeKindName(RangeKind kind) => kind switch
    {
        RangeKind.Single => "single",
        RangeKind.Multiple => "multiple",
        RangeKind.Unsatisfiable => "unsatisfiable",
        _ => "none",
    };

    /// <summary>The outcome as logged; an offloaded answer is "offload" (nginx sent the body).</summary>
    public static string OutcomeName(DownloadOutcome outcome) => outcome switch
    {
        DownloadOutcome.Aborted => "aborted",
        DownloadOutcome.Failed => "failed",
        DownloadOutcome.Offloaded => "offload",
        _ => "completed",
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
