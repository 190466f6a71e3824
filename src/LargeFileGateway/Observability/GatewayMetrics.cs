using System.Diagnostics;
using System.Diagnostics.Metrics;
using LargeFileGateway.Configuration;
using LargeFileGateway.Downloads;
using LargeFileGateway.Streaming;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Observability;

/// <summary>The gateway's instruments, on one <see cref="Meter"/>. Tags have bounded values and never name a file.</summary>
/// <remarks>
/// Nothing listens unless metrics are exported (<c>/metrics</c> or OTLP); an instrument without a listener costs
/// one check of <c>Enabled</c>, so the tags below are built only when it is on (a boxed status code is the only
/// allocation then, and common codes are boxed once).
/// </remarks>
internal sealed class GatewayMetrics
{
    public const string MeterName = "LargeFileGateway";

    private const string ProviderTag = "gateway.storage.provider";

    private static readonly object[] s_statusCodes = Enumerable.Range(0, 600).Select(static code => (object)code).ToArray();

    private readonly Counter<long> _bytesSent;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstByte;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _storageReadDuration;
    private readonly Counter<long> _storageResumes;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _accessLogDropped;
    private readonly Counter<long> _slowClientCuts;
    private readonly KeyValuePair<string, object?> _provider;
    private readonly Counter<long> _throttledBytes;
    private readonly Histogram<double> _throttleWait;
    private readonly Counter<long> _digestsLearnt;
    private readonly Counter<long> _digestBytesHashed;
    private readonly Counter<long> _digestFailures;
    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory meterFactory, IOptions<StorageOptions> storage)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _provider = new(ProviderTag, storage.Value.Provider switch
        {
            StorageProviderKind.S3 => "s3",
            StorageProviderKind.HttpOrigin => "http_origin",
            _ => "local",
        });
        _bytesSent = meter.CreateCounter<long>("gateway.download.bytes_sent", unit: "By", description: "Body bytes written to clients (offloaded answers count 0: nginx sent them).");
        _duration = meter.CreateHistogram<double>("gateway.download.duration", unit: "s", description: "Time from request to last byte.");
        _timeToFirstByte = meter.CreateHistogram<double>("gateway.download.time_to_first_byte", unit: "s", description: "Time from request to the first body byte written.");
        _active = meter.CreateUpDownCounter<long>("gateway.download.active", unit: "{download}", description: "Downloads in progress.");
        _storageReadDuration = meter.CreateHistogram<double>("gateway.storage.read.duration", unit: "s", description: "Time of one chunk read from storage.");
        _storageResumes = meter.CreateCounter<long>("gateway.storage.resumes", unit: "{resume}", description: "Storage reads reopened at the offset reached after a mid-body failure.");
        _refusals = meter.CreateCounter<long>("gateway.refusals", unit: "{request}", description: "Requests refused before any storage call, by reason.");
        _slowClientCuts = meter.CreateCounter<long>("gateway.slow_client.cuts", unit: "{connection}", description: "Connections cut because the client read below the minimum response data rate past the grace (MinClientRate) or took nothing for the idle-write timeout (IdleWrite).");
        _accessLogDropped = meter.CreateCounter<long>("gateway.access_log.dropped", unit: "{line}", description: "Access-log lines dropped because the writer could not keep up.");
        _throttledBytes = meter.CreateCounter<long>("gateway.throttled.bytes", unit: "By", description: "Body bytes that had to wait for a rate limit's bucket, by the limit that held them.");
        _throttleWait = meter.CreateHistogram<double>("gateway.throttle.wait", unit: "s", description: "Time one chunk waited for a rate limit's bucket, by the limit that held it.");
        _digestsLearnt = meter.CreateCounter<long>("gateway.digests.learnt", unit: "{version}", description: "File versions whose digest the background worker learnt, by source.");
        _digestBytesHashed = meter.CreateCounter<long>("gateway.digests.bytes_hashed", unit: "By", description: "Bytes the background worker read to hash them.");
        _digestFailures = meter.CreateCounter<long>("gateway.digests.failures", unit: "{version}", description: "File versions the worker could not learn (storage failed, the file changed) or could not queue.");
    }

    /// <summary>
    /// Reports what of <paramref name="budget"/> gathered flushes hold now, beside the whole: when clients that stopped
    /// reading mid-flush hold all of it, every download flushes each chunk again (slower, and nothing else shows it).
    /// Read only when a scrape or an export asks.
    /// </summary>
    public void ObserveFlushBudget(FlushBudget budget)
    {
        _meter.CreateObservableGauge("gateway.download.flush_budget.used", () => budget.Bytes - budget.Available, unit: "By",
            description: "Bytes of the fast-client flush budget (Gateway:Download:FastClientFlushBudgetBytes) that gathered flushes hold now.");
        _meter.CreateObservableGauge("gateway.download.flush_budget.limit", () => budget.Bytes, unit: "By",
            description: "The whole fast-client flush budget (Gateway:Download:FastClientFlushBudgetBytes).");
    }

    /// <summary>True when someone records storage read times: the caller reads the clock only then.</summary>
    public bool TimesStorageReads => _storageReadDuration.Enabled;

    public void DownloadStarted() => _active.Add(1);

    public void StorageReadResumed() => _storageResumes.Add(1, _provider);

    public void StorageRead(TimeSpan duration) => _storageReadDuration.Record(duration.TotalSeconds, _provider);

    /// <summary>A request refused by the access step (the reason is a bounded enum, never a key).</summary>
    public void AccessRefused(LargeFileGateway.Access.AccessRefusalReason reason)
        => _refusals.Add(1, new KeyValuePair<string, object?>("gateway.refusal.reason", reason.ToString()));

    public void LimitRefused(LargeFileGateway.Limits.LimitRefusalReason reason)
        => _refusals.Add(1, new KeyValuePair<string, object?>("gateway.refusal.reason", reason.ToString()));

    /// <param name="reason">The policy that cut (the tag is the name of its key).</param>
    public void SlowClientCut(LargeFileGateway.Limits.SlowClientCutReason reason = LargeFileGateway.Limits.SlowClientCutReason.MinClientRate)
        => _slowClientCuts.Add(1, new KeyValuePair<string, object?>("gateway.slow_client.reason",
            reason == LargeFileGateway.Limits.SlowClientCutReason.IdleWrite ? "IdleWrite" : "MinClientRate"));

    public void AccessLogLineDropped() => _accessLogDropped.Add(1);

    /// <param name="statusCode">The status the client got (0: none).</param>
    /// <param name="rangeKind">None, Single, Multiple... (a bounded enum name).</param>
    /// <param name="outcome">How the request ended.</param>
    /// <param name="bytesSent">Body bytes really written.</param>
    /// <param name="duration">From request to end.</param>
    /// <param name="timeToFirstByte">From request to the first body byte, when a body byte was written.</param>
    public void DownloadEnded(int statusCode, string rangeKind, DownloadOutcome outcome, long bytesSent, TimeSpan duration, TimeSpan? timeToFirstByte)
    {
        _active.Add(-1);
        if (timeToFirstByte is { } firstByte && _timeToFirstByte.Enabled)
        {
            _timeToFirstByte.Record(firstByte.TotalSeconds, _provider);
        }

        if (!_bytesSent.Enabled && !_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            _provider,
            { "gateway.download.outcome", OutcomeTag(outcome) },
            { "http.response.status_code", (uint)statusCode < (uint)s_statusCodes.Length ? s_statusCodes[statusCode] : statusCode },
            { "gateway.range_kind", rangeKind },
        };
        _bytesSent.Add(bytesSent, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A chunk that waited for a bucket: called only when it really waited, never per chunk.</summary>
    public void Throttled(LargeFileGateway.Limits.ThrottleReason reason, long bytes, TimeSpan wait)
    {
        var tag = ThrottleReasonTag(reason);
        _throttledBytes.Add(bytes, tag);
        if (_throttleWait.Enabled)
        {
            _throttleWait.Record(wait.TotalSeconds, tag);
        }
    }

    /// <summary>
    /// The bytes a throttled download sent after its last wait, paced by the refill that wait ended with: throttled
    /// bytes, but no wait of their own (called once, as the download ends).
    /// </summary>
    public void ThrottledWithoutWait(LargeFileGateway.Limits.ThrottleReason reason, long bytes) =>
        _throttledBytes.Add(bytes, ThrottleReasonTag(reason));

    private static KeyValuePair<string, object?> ThrottleReasonTag(LargeFileGateway.Limits.ThrottleReason reason) =>
        new("gateway.throttle.reason", reason switch
        {
            LargeFileGateway.Limits.ThrottleReason.LinkRate => "LinkRate",
            LargeFileGateway.Limits.ThrottleReason.RatePerClient => "RatePerClient",
            _ => "RatePerDownload",
        });

    public static string OutcomeTag(DownloadOutcome outcome) => outcome switch
    {
        DownloadOutcome.Aborted => "aborted",
        DownloadOutcome.Failed => "failed",
        DownloadOutcome.Offloaded => "offloaded",
        _ => "completed",
    };

    public void DigestLearnt(LargeFileGateway.Digests.ContentFactsSource source) => _digestsLearnt.Add(1, new KeyValuePair<string, object?>("gateway.digests.source", source switch
    {
        LargeFileGateway.Digests.ContentFactsSource.Sidecar => "sidecar",
        LargeFileGateway.Digests.ContentFactsSource.StorageChecksum => "storage_checksum",
        _ => "computed",
    }));

    public void DigestBytesHashed(long bytes) => _digestBytesHashed.Add(bytes, _provider);

    public void DigestFailed() => _digestFailures.Add(1, new KeyValuePair<string, object?>("gateway.digests.reason", "failed"));

    public void DigestQueueFull() => _digestFailures.Add(1, new KeyValuePair<string, object?>("gateway.digests.reason", "queue_full"));
}
