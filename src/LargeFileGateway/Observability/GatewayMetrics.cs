using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LargeFileGateway.Observability;

/// <summary>The gateway's instruments, on one <see cref="Meter"/>. Tags have bounded values and never name a file.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "LargeFileGateway";

    private readonly Counter<long> _bytesSent;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _storageResumes;
    private readonly Counter<long> _refusals;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bytesSent = meter.CreateCounter<long>("gateway.download.bytes_sent", unit: "By", description: "Body bytes written to clients.");
        _duration = meter.CreateHistogram<double>("gateway.download.duration", unit: "s", description: "Time from request to last byte.");
        _active = meter.CreateUpDownCounter<long>("gateway.download.active", unit: "{download}", description: "Downloads in progress.");
        _storageResumes = meter.CreateCounter<long>("gateway.storage.resumes", unit: "{resume}", description: "Storage reads reopened at the offset reached after a mid-body failure.");
        _refusals = meter.CreateCounter<long>("gateway.refusals", unit: "{request}", description: "Requests refused before any storage call, by reason.");
    }

    public void DownloadStarted() => _active.Add(1);

    public void StorageReadResumed() => _storageResumes.Add(1);

    /// <summary>A request refused by the access step (the reason is a bounded enum, never a key).</summary>
    public void AccessRefused(LargeFileGateway.Access.AccessRefusalReason reason)
        => _refusals.Add(1, new KeyValuePair<string, object?>("gateway.refusal.reason", reason.ToString()));

    public void DownloadEnded(int statusCode, string rangeKind, bool aborted, long bytesSent, TimeSpan duration)
    {
        _active.Add(-1);
        var tags = new TagList
        {
            { "http.response.status_code", statusCode },
            { "gateway.range_kind", rangeKind },
            { "gateway.aborted", aborted },
        };
        _bytesSent.Add(bytesSent, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }
}
