
namespace LargeFileGateway.Observability;

/// <summary>Every log message of the gateway. EventIds are stable and never reused.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = nameof(DownloadFinished), Level = LogLevel.Information,
        Message = "{Client} {Method} {Key} range {RangeKind} status {StatusCode} sent {BytesSent} bytes in {DurationMs:F1} ms, aborted {Aborted}")]
    public static partial void DownloadFinished(ILogger logger, string method, string key, System.Net.IPAddress? client, string rangeKind, int statusCode, long bytesSent, double durationMs, bool aborted);

    [LoggerMessage(EventId = 2, EventName = nameof(ClientDisconnected), Level = LogLevel.Debug,
        Message = "Client went away while {Key} was streaming at offset {Offset}")]
    public static partial void ClientDisconnected(ILogger logger, string key, long offset);

    [LoggerMessage(EventId = 3, EventName = nameof(StorageFailedMidStream), Level = LogLevel.Warning,
        Message = "Storage failed while {Key} was streaming; aborting the connection so the client sees a failure")]
    public static partial void StorageFailedMidStream(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 4, EventName = nameof(StorageUnavailable), Level = LogLevel.Warning,
        Message = "Storage unavailable for {Key}")]
    public static partial void StorageUnavailable(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 5, EventName = nameof(PathRefused), Level = LogLevel.Debug,
        Message = "Refused path ({Verdict}) of length {Length}")]
    public static partial void PathRefused(ILogger logger, Security.StorageKeyVerdict verdict, int length);

    [LoggerMessage(EventId = 6, EventName = nameof(RangeIgnored), Level = LogLevel.Debug,
        Message = "Range of {Key} ignored: {Reason}")]
    public static partial void RangeIgnored(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 7, EventName = nameof(ServingFolder), Level = LogLevel.Information,
        Message = "Serving files from {Root} with {ChunkSizeBytes}-byte chunks")]
    public static partial void ServingFolder(ILogger logger, string root, int chunkSizeBytes);

    [LoggerMessage(EventId = 8, EventName = nameof(SampleFolderCreated), Level = LogLevel.Information,
        Message = "No storage root was configured; created {Root} with a sample file. Try: curl -O http://HOST/files/{SampleName}")]
    public static partial void SampleFolderCreated(ILogger logger, string root, string sampleName);

    [LoggerMessage(EventId = 9, EventName = nameof(UnexpectedFailure), Level = LogLevel.Error,
        Message = "Unexpected failure while serving {Key}")]
    public static partial void UnexpectedFailure(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 300, EventName = nameof(OffloadedToNginx), Level = LogLevel.Debug,
        Message = "Handing {Key} to nginx at {InternalUri}")]
    public static partial void OffloadedToNginx(ILogger logger, string key, string internalUri);

    [LoggerMessage(EventId = 301, EventName = nameof(OffloadDeclined), Level = LogLevel.Debug,
        Message = "Sending {Key} from the gateway although offload is on: {Reason}")]
    public static partial void OffloadDeclined(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 302, EventName = nameof(OffloadConfigured), Level = LogLevel.Information,
        Message = "Local files are sent by nginx through X-Accel-Redirect to {InternalPrefix}")]
    public static partial void OffloadConfigured(ILogger logger, string internalPrefix);

    [LoggerMessage(EventId = 303, EventName = nameof(ForwardedHeadersTrusted), Level = LogLevel.Information,
        Message = "Client addresses from X-Forwarded-For are trusted from proxies [{TrustedProxies}] and networks [{TrustedNetworks}]")]
    public static partial void ForwardedHeadersTrusted(ILogger logger, string trustedProxies, string trustedNetworks);
}
