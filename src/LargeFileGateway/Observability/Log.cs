
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
        Message = "Storage failed while {Key} was streaming, after {BytesSent} bytes; aborting the connection so the client sees a failure: {Reason}")]
    public static partial void StorageFailedMidStream(ILogger logger, string key, long bytesSent, string reason);

    [LoggerMessage(EventId = 4, EventName = nameof(StorageUnavailable), Level = LogLevel.Warning,
        Message = "Storage unavailable for {Key}: {Reason}")]
    public static partial void StorageUnavailable(ILogger logger, string key, string reason);

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

    [LoggerMessage(EventId = 10, EventName = nameof(RepresentationChangedBeforeFirstByte), Level = LogLevel.Information,
        Message = "{Key} changed between its lookup and its first byte; looking it up once more: {Reason}")]
    public static partial void RepresentationChangedBeforeFirstByte(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 11, EventName = nameof(InstanceOverloaded), Level = LogLevel.Warning,
        Message = "This instance cannot serve {Key} now (out of a local resource); a proxy may retry elsewhere: {Reason}")]
    public static partial void InstanceOverloaded(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 12, EventName = nameof(RangeCheckedAgainstFreshMetadata), Level = LogLevel.Debug,
        Message = "No range of the cached length of {Key} is satisfiable; looking it up afresh before answering 416")]
    public static partial void RangeCheckedAgainstFreshMetadata(ILogger logger, string key);

    [LoggerMessage(EventId = 100, EventName = nameof(StorageRetry), Level = LogLevel.Warning,
        Message = "Storage call to {Provider} failed; retry {Attempt} in {DelayMs:F0} ms")]
    public static partial void StorageRetry(ILogger logger, string provider, int attempt, double delayMs, Exception? exception);

    [LoggerMessage(EventId = 101, EventName = nameof(StorageCircuitOpened), Level = LogLevel.Error,
        Message = "Storage {Provider} keeps failing; refusing calls for {BreakDurationMs:F0} ms (503 with Retry-After)")]
    public static partial void StorageCircuitOpened(ILogger logger, string provider, double breakDurationMs, Exception? exception);

    [LoggerMessage(EventId = 102, EventName = nameof(StorageCircuitClosed), Level = LogLevel.Information,
        Message = "Storage {Provider} answers again; circuit closed")]
    public static partial void StorageCircuitClosed(ILogger logger, string provider);

    [LoggerMessage(EventId = 103, EventName = nameof(StorageReadResumed), Level = LogLevel.Warning,
        Message = "Storage read of {Key} failed at offset {Offset}; reopening there (resume {Resume} of at most {MaxResumes})")]
    public static partial void StorageReadResumed(ILogger logger, string key, long offset, int resume, int maxResumes, Exception exception);

    [LoggerMessage(EventId = 104, EventName = nameof(StorageResumeBudgetExhausted), Level = LogLevel.Warning,
        Message = "Storage read of {Key} failed at offset {Offset} after {MaxResumes} resumes; giving up")]
    public static partial void StorageResumeBudgetExhausted(ILogger logger, string key, long offset, int maxResumes, Exception exception);

    [LoggerMessage(EventId = 105, EventName = nameof(ServingRemoteStorage), Level = LogLevel.Information,
        Message = "Serving files from {Provider} storage at {Location} with {ChunkSizeBytes}-byte chunks")]
    public static partial void ServingRemoteStorage(ILogger logger, string provider, string location, int chunkSizeBytes);

    [LoggerMessage(EventId = 106, EventName = nameof(OriginAnswerRejected), Level = LogLevel.Warning,
        Message = "Storage {Provider} answered a read of {Key} at offset {Offset} wrongly: {Reason}")]
    public static partial void OriginAnswerRejected(ILogger logger, string provider, string key, long offset, string reason);

    [LoggerMessage(EventId = 400, EventName = nameof(TransferEventsConfigured), Level = LogLevel.Information,
        Message = "Live transfer events at /events and the dashboard at /: access {Access}")]
    public static partial void TransferEventsConfigured(ILogger logger, Configuration.EventsAccessMode access);

    [LoggerMessage(EventId = 401, EventName = nameof(WatcherConnected), Level = LogLevel.Debug,
        Message = "Transfer watcher connected ({Resumed}); {Watchers} watching")]
    public static partial void WatcherConnected(ILogger logger, string resumed, int watchers);

    [LoggerMessage(EventId = 402, EventName = nameof(WatcherDisconnected), Level = LogLevel.Debug,
        Message = "Transfer watcher disconnected; {Watchers} watching")]
    public static partial void WatcherDisconnected(ILogger logger, int watchers);

    [LoggerMessage(EventId = 403, EventName = nameof(WatcherFellBehind), Level = LogLevel.Debug,
        Message = "A transfer watcher fell behind by more than {QueueCapacity} events; it gets a snapshot instead")]
    public static partial void WatcherFellBehind(ILogger logger, int queueCapacity);

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

    // Remote storage (S3, HTTP origin): EventIds 550-599.
    [LoggerMessage(EventId = 550, EventName = nameof(S3RequestRefused), Level = LogLevel.Error,
        Message = "S3 refused the gateway's requests to bucket {Bucket} ({ErrorCode}): a misconfiguration, not retried; check {Setting}")]
    public static partial void S3RequestRefused(ILogger logger, string bucket, string errorCode, string setting);

    // Local storage (Storage/Local): 500-549.
    [LoggerMessage(EventId = 500, EventName = nameof(LocalFileRefused), Level = LogLevel.Debug,
        Message = "Not serving {Key}: {Call} answered {Errno}")]
    public static partial void LocalFileRefused(ILogger logger, string key, string call, string errno);

    [LoggerMessage(EventId = 501, EventName = nameof(LocalFileNotRegular), Level = LogLevel.Warning,
        Message = "Not serving {Key}: it is not a regular file (type 0x{FileType:x}, a FIFO, socket or device)")]
    public static partial void LocalFileNotRegular(ILogger logger, string key, int fileType);

    [LoggerMessage(EventId = 502, EventName = nameof(LocalOpenOverloaded), Level = LogLevel.Warning,
        Message = "Cannot open {Key}: this instance is out of file descriptors or memory ({Errno})")]
    public static partial void LocalOpenOverloaded(ILogger logger, string key, string errno);

    [LoggerMessage(EventId = 503, EventName = nameof(LocalReadTimedOut), Level = LogLevel.Warning,
        Message = "A read of {Key} at offset {Offset} waited longer than {ReadTimeout} for the device; {ReadsOnDevice} local reads are in the kernel")]
    public static partial void LocalReadTimedOut(ILogger logger, string key, long offset, TimeSpan readTimeout, int readsOnDevice);

    [LoggerMessage(EventId = 504, EventName = nameof(LocalReadsOverloaded), Level = LogLevel.Warning,
        Message = "Refused a read of {Key}: all {IoThreads} local I/O threads are waiting for the device")]
    public static partial void LocalReadsOverloaded(ILogger logger, string key, int ioThreads);


    // Access control (Access/): EventIds 600-649.
    [LoggerMessage(EventId = 600, EventName = nameof(AccessRefused), Level = LogLevel.Information,
        Message = "Refused {Key} under policy {Policy}: {Reason} (key id {KeyId})")]
    public static partial void AccessRefused(ILogger logger, string key, LargeFileGateway.Access.AccessPolicy policy, LargeFileGateway.Access.AccessRefusalReason reason, string? keyId);

    [LoggerMessage(EventId = 601, EventName = nameof(ExpiredLinkResumeRefused), Level = LogLevel.Information,
        Message = "Refused an expired link to {Key} (key id {KeyId}): not a resume of the current version (needs Range and If-Range equal to the strong ETag)")]
    public static partial void ExpiredLinkResumeRefused(ILogger logger, string key, string? keyId);

    [LoggerMessage(EventId = 641, EventName = nameof(AliasRefused), Level = LogLevel.Information,
        Message = "Refused {Key}: it leads to {RealKey}, under policy {Policy}, which the request's proof does not cover")]
    public static partial void AliasRefused(ILogger logger, string key, string realKey, LargeFileGateway.Access.AccessPolicy policy);

    [LoggerMessage(EventId = 640, EventName = nameof(TokenRejected), Level = LogLevel.Information,
        Message = "Refused a bearer token: {Failure}")]
    public static partial void TokenRejected(ILogger logger, string failure);

    // Signed links (Access/SignedLink*, the sign command): EventIds 610-639.
    [LoggerMessage(EventId = 610, EventName = nameof(ExpiredLinkInGrace), Level = LogLevel.Debug,
        Message = "A link to {Key} (key id {KeyId}) expired {ExpiredForSeconds} s ago: allowed only as a resume of the current version")]
    public static partial void ExpiredLinkInGrace(ILogger logger, string key, string? keyId, long expiredForSeconds);
    // Operations (Health/, AccessLog/, Observability/): EventIds 700-739.
    [LoggerMessage(EventId = 700, EventName = nameof(StorageProbeFailed), Level = LogLevel.Warning,
        Message = "Not ready: the {Provider} storage probe failed ({Reason})")]
    public static partial void StorageProbeFailed(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 701, EventName = nameof(StorageProbeRecovered), Level = LogLevel.Information,
        Message = "Ready again: the {Provider} storage probe answers")]
    public static partial void StorageProbeRecovered(ILogger logger, string provider);

    [LoggerMessage(EventId = 702, EventName = nameof(AccessLogLinesDropped), Level = LogLevel.Warning,
        Message = "The access log could not keep up: {DroppedTotal} lines dropped so far (queue of {QueueCapacity} full)")]
    public static partial void AccessLogLinesDropped(ILogger logger, long droppedTotal, int queueCapacity);

    [LoggerMessage(EventId = 703, EventName = nameof(AccessLogWriteFailed), Level = LogLevel.Warning,
        Message = "Could not write the access log: {Reason}")]
    public static partial void AccessLogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 704, EventName = nameof(ObservabilityConfigured), Level = LogLevel.Information,
        Message = "Observability: /metrics {Prometheus}, OTLP export {Otlp}, access log {AccessLog}")]
    public static partial void ObservabilityConfigured(ILogger logger, string prometheus, string otlp, string accessLog);
    // Graceful drain, TLS and deployment (Hosting/): EventIds 740-779.
    [LoggerMessage(EventId = 740, EventName = nameof(DrainStarted), Level = LogLevel.Information,
        Message = "Draining: readiness reports unhealthy; new connections are accepted for {AcceptDelay} more; {InFlight} requests in flight")]
    public static partial void DrainStarted(ILogger logger, TimeSpan acceptDelay, int inFlight);

    [LoggerMessage(EventId = 741, EventName = nameof(DrainStoppedAccepting), Level = LogLevel.Information,
        Message = "Refusing new connections; waiting up to {DrainTimeout} for {InFlight} requests in flight")]
    public static partial void DrainStoppedAccepting(ILogger logger, TimeSpan drainTimeout, int inFlight);

    [LoggerMessage(EventId = 742, EventName = nameof(DrainCutRequest), Level = LogLevel.Warning,
        Message = "Cut {Path}: still running after the drain timeout of {DrainTimeout}; its client resumes elsewhere")]
    public static partial void DrainCutRequest(ILogger logger, string path, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 743, EventName = nameof(DrainFinished), Level = LogLevel.Information,
        Message = "Drain finished: {DrainedCount} requests completed while draining [{Drained}], {CutCount} cut [{Cut}]")]
    public static partial void DrainFinished(ILogger logger, int drainedCount, string drained, int cutCount, string cut);

    [LoggerMessage(EventId = 750, EventName = nameof(HttpsEndpointConfigured), Level = LogLevel.Information,
        Message = "HTTPS endpoint {Endpoint} at {Url}: TLS 1.2 and 1.3, certificate {Thumbprint} reloaded when its files change, HTTP/3 {Http3}")]
    public static partial void HttpsEndpointConfigured(ILogger logger, string endpoint, string url, string thumbprint, bool http3);

    [LoggerMessage(EventId = 751, EventName = nameof(Http3Unavailable), Level = LogLevel.Warning,
        Message = "HTTPS endpoint {Endpoint} asks for HTTP/3, but QUIC is not available here (libmsquic is missing): it serves HTTP/1.1 and HTTP/2 only")]
    public static partial void Http3Unavailable(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 752, EventName = nameof(CertificateReloaded), Level = LogLevel.Information,
        Message = "Certificate {Path} reloaded: new handshakes get {Thumbprint} (was {PreviousThumbprint}), valid until {NotAfter}")]
    public static partial void CertificateReloaded(ILogger logger, string path, string previousThumbprint, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 753, EventName = nameof(CertificateReloadFailed), Level = LogLevel.Warning,
        Message = "Certificate {Path} with key {KeyPath} changed but does not load yet ({Reason}); the previous one is served until it does")]
    public static partial void CertificateReloadFailed(ILogger logger, string path, string keyPath, string reason);

    // Limits: byte rates (800-829).
    [LoggerMessage(EventId = 800, EventName = nameof(DownloadThrottled), Level = LogLevel.Debug,
        Message = "Download of {Key} throttled: {RatePerDownload} B/s after {RateAfterBytes} bytes, client {PartitionKey} shares {RatePerClient} B/s (0: no limit)")]
    public static partial void DownloadThrottled(ILogger logger, string key, long ratePerDownload, long rateAfterBytes, long ratePerClient, string partitionKey);

    // Connection caps and the slow-client policy (Limits/): 830-859.

    [LoggerMessage(EventId = 830, EventName = nameof(LimitRefused), Level = LogLevel.Information,
        Message = "Refused {Method} from {Client}: {Reason} limit of {Limit} reached; Retry-After {RetryAfterSeconds} s")]
    public static partial void LimitRefused(ILogger logger, string method, string client, LargeFileGateway.Limits.LimitRefusalReason reason, int limit, long retryAfterSeconds);

    [LoggerMessage(EventId = 831, EventName = nameof(SlowClientCut), Level = LogLevel.Warning,
        Message = "Cut connection {ConnectionId} (request {RequestId}): its client read slower than the minimum response data rate for longer than the grace; it can resume with Range")]
    public static partial void SlowClientCut(ILogger logger, string connectionId, string requestId);

    // Throttling made visible and the idle-write timeout (Limits/, Streaming/): 870-879.
    [LoggerMessage(EventId = 870, EventName = nameof(IdleWriteCut), Level = LogLevel.Warning,
        Message = "Cut {Protocol} download of {Key} on connection {ConnectionId} after {BytesWritten} bytes: one write waited {IdleWriteTimeout} with the client taking nothing; it can resume with Range")]
    public static partial void IdleWriteCut(ILogger logger, string key, long bytesWritten, TimeSpan idleWriteTimeout, string protocol, string connectionId);

    // Integrity digests (Digests/): 900-929.
    [LoggerMessage(EventId = 900, EventName = nameof(DigestStoreLoaded), Level = LogLevel.Information,
        Message = "Digest store {Folder}: {Count} file versions known, {Dropped} corrupt entries dropped")]
    public static partial void DigestStoreLoaded(ILogger logger, string folder, int count, int dropped);

    [LoggerMessage(EventId = 901, EventName = nameof(DigestStoreEntryCorrupt), Level = LogLevel.Warning,
        Message = "Digest store entry {FileName} fails its check or is filed under another name: deleted, never served; its version is hashed again when asked for")]
    public static partial void DigestStoreEntryCorrupt(ILogger logger, string fileName);

    [LoggerMessage(EventId = 902, EventName = nameof(DigestStoreEntryUnreadable), Level = LogLevel.Warning,
        Message = "Digest store entry {FileName} cannot be read ({Reason}); skipped")]
    public static partial void DigestStoreEntryUnreadable(ILogger logger, string fileName, string reason);

    [LoggerMessage(EventId = 903, EventName = nameof(DigestStoreWriteFailed), Level = LogLevel.Warning,
        Message = "Digest store entry {FileName} could not be written ({Reason}); it is served from memory until the process ends")]
    public static partial void DigestStoreWriteFailed(ILogger logger, string fileName, string reason);

    [LoggerMessage(EventId = 904, EventName = nameof(DigestQueued), Level = LogLevel.Debug,
        Message = "Digest of {Key} version {Validator} not known yet: queued for the background worker")]
    public static partial void DigestQueued(ILogger logger, string key, string validator);

    [LoggerMessage(EventId = 905, EventName = nameof(DigestQueueFull), Level = LogLevel.Debug,
        Message = "Digest of {Key} not queued: the queue is full (Gateway:Digests:QueueCapacity); a later request queues it")]
    public static partial void DigestQueueFull(ILogger logger, string key);

    [LoggerMessage(EventId = 906, EventName = nameof(DigestLearnt), Level = LogLevel.Information,
        Message = "Digest of {Key} version {Validator} learnt from {Source} in {ElapsedMilliseconds} ms")]
    public static partial void DigestLearnt(ILogger logger, string key, string validator, LargeFileGateway.Digests.ContentFactsSource source, double elapsedMilliseconds);

    [LoggerMessage(EventId = 907, EventName = nameof(DigestVersionChangedWhileHashing), Level = LogLevel.Information,
        Message = "Digest of {Key} dropped: the file changed while it was hashed; its new version is hashed when asked for")]
    public static partial void DigestVersionChangedWhileHashing(ILogger logger, string key);

    [LoggerMessage(EventId = 908, EventName = nameof(DigestFailed), Level = LogLevel.Warning,
        Message = "Digest of {Key} failed: {Reason}; tried again on a later request")]
    public static partial void DigestFailed(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 909, EventName = nameof(DigestSidecarStale), Level = LogLevel.Debug,
        Message = "Sidecar of {Key} is older than the file: ignored, the file is hashed")]
    public static partial void DigestSidecarStale(ILogger logger, string key);

    [LoggerMessage(EventId = 910, EventName = nameof(DigestSidecarDisagrees), Level = LogLevel.Warning,
        Message = "Sidecar of {Key} does not match the bytes the gateway hashed: the computed digest is served")]
    public static partial void DigestSidecarDisagrees(ILogger logger, string key);

    [LoggerMessage(EventId = 911, EventName = nameof(DigestStaleVersionsDropped), Level = LogLevel.Debug,
        Message = "Digests of {Count} versions of {Key} that no longer exist dropped")]
    public static partial void DigestStaleVersionsDropped(ILogger logger, string key, int count);

    [LoggerMessage(EventId = 912, EventName = nameof(DigestWarmUpQueued), Level = LogLevel.Information,
        Message = "Digest warm-up: {Count} files of the root queued")]
    public static partial void DigestWarmUpQueued(ILogger logger, int count);

    [LoggerMessage(EventId = 913, EventName = nameof(DigestWarmUpSkipped), Level = LogLevel.Information,
        Message = "Digest warm-up skipped: only the local provider can list its root; other files are learnt on their first request")]
    public static partial void DigestWarmUpSkipped(ILogger logger);

    [LoggerMessage(EventId = 914, EventName = nameof(DigestUnexpectedFailure), Level = LogLevel.Error,
        Message = "Digest of {Key} failed unexpectedly; tried again on a later request")]
    public static partial void DigestUnexpectedFailure(ILogger logger, string key, Exception exception);

    // Watchers of /events: caps and the event hub (Limits/WatcherLimits, Progress/): 860-869.

    [LoggerMessage(EventId = 860, EventName = nameof(WatcherRefused), Level = LogLevel.Information,
        Message = "Refused a watcher of /events from {Client}: {Reason} limit of {Limit} reached; Retry-After {RetryAfterSeconds} s")]
    public static partial void WatcherRefused(ILogger logger, string client, LargeFileGateway.Limits.LimitRefusalReason reason, int limit, long retryAfterSeconds);

    [LoggerMessage(EventId = 940, EventName = nameof(ArchiveTooLarge), Level = LogLevel.Information,
        Message = "Archive of {Folder} refused ({Outcome}): more than the cap, stopped after {Entries} entries and {Bytes} bytes")]
    public static partial void ArchiveTooLarge(ILogger logger, string folder, Archives.ArchiveWalkOutcome outcome, int entries, long bytes);

    [LoggerMessage(EventId = 941, EventName = nameof(ArchiveCrcRead), Level = LogLevel.Debug,
        Message = "Archive of {Folder}: reading {Member} ({Length} bytes) for its CRC-32, which a range after it needs and nobody computed yet")]
    public static partial void ArchiveCrcRead(ILogger logger, string folder, string member, long length);

    // Folder listings (Listing/): 920-939.

    [LoggerMessage(EventId = 920, EventName = nameof(ListingServed), Level = LogLevel.Debug,
        Message = "Listed {Folder} as {Format}: {Shown} entries shown, {Hidden} hidden by access, more follow {HasMore}")]
    public static partial void ListingServed(ILogger logger, string folder, string format, int shown, int hidden, bool hasMore);

    [LoggerMessage(EventId = 921, EventName = nameof(ListingNotFound), Level = LogLevel.Debug,
        Message = "No folder {Folder} to list (missing, hidden, or storage without folders)")]
    public static partial void ListingNotFound(ILogger logger, string folder);

    [LoggerMessage(EventId = 922, EventName = nameof(ListingCursorRefused), Level = LogLevel.Debug,
        Message = "Listing of {Folder} refused: the cursor or limit of the query is not one the gateway made")]
    public static partial void ListingCursorRefused(ILogger logger, string folder);

    [LoggerMessage(EventId = 923, EventName = nameof(ListingStorageUnavailable), Level = LogLevel.Warning,
        Message = "Storage unavailable while listing {Folder}: {Reason}")]
    public static partial void ListingStorageUnavailable(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 924, EventName = nameof(FolderRedirected), Level = LogLevel.Debug,
        Message = "{Key} is a folder: redirected to its listing")]
    public static partial void FolderRedirected(ILogger logger, string key);

    [LoggerMessage(EventId = 925, EventName = nameof(ListingConfigured), Level = LogLevel.Information,
        Message = "Folder listing {State}: page size {PageSize}, storage lists folders {StorageLists}, zip links {ArchiveLinks}")]
    public static partial void ListingConfigured(ILogger logger, string state, int pageSize, bool storageLists, bool archiveLinks);
}
