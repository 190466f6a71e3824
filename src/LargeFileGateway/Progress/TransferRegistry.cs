using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.Progress;

/// <summary>
/// Every download in flight and the events about them. Downloads call <see cref="Start"/> and <see cref="End"/>
/// once each and bump their <see cref="Transfer"/>'s counter per chunk; a timer samples the counters into
/// coalesced progress events. Each event is numbered, serialized once, kept in a bounded ring for resume and
/// offered to every watcher's bounded queue. One lock orders all of it, so a snapshot and the sequence it covers
/// always agree; the lock is never taken per chunk.
/// </summary>
internal sealed class TransferRegistry : IDisposable
{
    /// <summary>Below this a transfer that did not move in a sample counts as stalled: its rate shows as zero.</summary>
    private const double StalledBytesPerSecond = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Transfer> _active = [];
    private readonly Queue<TransferView> _recent = new();
    private readonly HashSet<TransferWatcher> _watchers = [];
    private readonly EventRing _ring;
    private readonly EventsOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer? _sampler;
    private readonly ILogger _logger;
    private readonly string _epoch;
    private long _lastTransferId;
    private long _lastSequence;
    private long _completed;
    private long _aborted;
    private long _failed;
    private long _finishedBytes;

    public TransferRegistry(IOptions<EventsOptions> options, TimeProvider time, ILogger<TransferRegistry> logger)
        : this(options.Value, time, startSampler: true, logger)
    {
    }

    /// <summary>Without the sampler, tests call <see cref="SampleProgress"/> themselves.</summary>
    internal TransferRegistry(EventsOptions options, TimeProvider time, bool startSampler, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time;
        _ring = new EventRing(options.RingCapacity);
        _epoch = time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture);
        IsTracking = options.Access != EventsAccessMode.Off;
        if (startSampler && IsTracking)
        {
            _sampler = time.CreateTimer(static state => ((TransferRegistry)state!).SampleProgress(), this, options.ProgressInterval, options.ProgressInterval);
        }
    }

    /// <summary>
    /// False when <c>Gateway:Events:Access</c> is Off: nobody can ever read the events, so downloads are not tracked
    /// at all. Each tracked download costs two events serialized to JSON under one lock shared by every request,
    /// about 3 % of the CPU of small range requests (perf, 64 KiB random ranges; benchmarks/RESULTS.md item 10).
    /// </summary>
    public bool IsTracking { get; }

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Events dropped from the queues of the watchers connected now.</summary>
    public long DroppedEvents
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Sum(watcher => watcher.DroppedEvents);
            }
        }
    }

    public int ActiveCount
    {
        get
        {
            lock (_lock)
            {
                return _active.Count;
            }
        }
    }

    public Transfer Start(string key, string client, string range, long totalBytes)
    {
        lock (_lock)
        {
            var transfer = new Transfer(++_lastTransferId, key, client, range, totalBytes, _time.GetUtcNow(), _time.GetTimestamp());
            _active.Add(transfer.Id, transfer);
            Publish("started", View(transfer, TransferOutcome.Active, endedAt: null));
            return transfer;
        }
    }

    public void End(Transfer transfer, TransferOutcome outcome)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(outcome, TransferOutcome.Active);
        lock (_lock)
        {
            if (!_active.Remove(transfer.Id))
            {
                return;
            }

            _ = outcome switch
            {
                TransferOutcome.Completed => ++_completed,
                TransferOutcome.Aborted => ++_aborted,
                _ => ++_failed,
            };
            _finishedBytes += transfer.BytesSent;
            var view = View(transfer, outcome, _time.GetUtcNow());
            _recent.Enqueue(view);
            while (_recent.Count > _options.RecentCapacity)
            {
                _recent.Dequeue();
            }

            Publish(view.Outcome, view);
        }
    }

    /// <summary>
    /// One progress event per active transfer whose counter moved since the last sample (and a few more while a
    /// stalled transfer's rate decays to zero): however many chunks were sent in between, watchers see one update.
    /// </summary>
    internal void SampleProgress()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var transfer in _active.Values)
            {
                var sent = transfer.BytesSent;
                var moved = sent - transfer.SampledBytes;
                if (moved == 0 && transfer.BytesPerSecond == 0)
                {
                    continue;
                }

                var seconds = _time.GetElapsedTime(transfer.SampledTimestamp, now).TotalSeconds;
                var instant = seconds > 0 ? moved / seconds : 0;

                // Half of the new sample, half of the history: steady enough for an ETA, quick to follow a change.
                // TCP sends in bursts, so one quiet sample only halves the rate; a stalled transfer reaches zero
                // within a few samples and then stops producing events.
                var rate = transfer.BytesPerSecond == 0 ? instant : (transfer.BytesPerSecond + instant) / 2;
                transfer.BytesPerSecond = moved == 0 && rate < StalledBytesPerSecond ? 0 : rate;
                transfer.SampledBytes = sent;
                transfer.SampledTimestamp = now;
                Publish("progress", View(transfer, TransferOutcome.Active, endedAt: null));
            }
        }
    }

    /// <summary>
    /// Subscribes a watcher. After a <paramref name="lastEventId"/> from this process that the ring still covers,
    /// it starts with the events it missed; otherwise with a snapshot.
    /// </summary>
    public TransferWatcher Subscribe(string? lastEventId)
    {
        lock (_lock)
        {
            List<PublishedEvent> initial = [Retry()];
            List<PublishedEvent>? missed = null;
            var resumed = TryParseSequence(lastEventId, out var sequence) && _ring.TryGetAfter(sequence, _lastSequence, out missed);
            if (resumed)
            {
                initial.AddRange(missed!);
            }
            else
            {
                initial.Add(CreateSnapshot());
            }

            var watcher = new TransferWatcher(this, _options.WatcherQueueCapacity, initial);
            _watchers.Add(watcher);
            Log.WatcherConnected(_logger, resumed ? "resumed" : "snapshot", _watchers.Count);
            return watcher;
        }
    }

    /// <summary>The <c>snapshot</c> event, carrying the id of the last event it covers.</summary>
    public PublishedEvent CreateSnapshot()
    {
        lock (_lock)
        {
            var active = new List<TransferView>(_active.Count);
            long rate = 0;
            foreach (var transfer in _active.Values)
            {
                var view = View(transfer, TransferOutcome.Active, endedAt: null);
                rate += view.BytesPerSecond;
                active.Add(view);
            }

            var liveBytes = active.Sum(view => view.BytesSent);
            var totals = new TransferTotals(active.Count, rate, _completed, _aborted, _failed, _finishedBytes + liveBytes);
            var snapshot = new TransferSnapshot(active, [.. _recent], totals);
            var json = JsonSerializer.Serialize(snapshot, ProgressJsonContext.Default.TransferSnapshot);
            return new PublishedEvent(_lastSequence, new SseItem<string>(json, "snapshot") { EventId = EventId(_lastSequence) });
        }
    }

    /// <summary>The snapshot for a watcher whose queue overflowed.</summary>
    internal PublishedEvent CatchUp()
    {
        Log.WatcherFellBehind(_logger, _options.WatcherQueueCapacity);
        return CreateSnapshot();
    }

    internal void Unsubscribe(TransferWatcher watcher)
    {
        lock (_lock)
        {
            if (_watchers.Remove(watcher))
            {
                Log.WatcherDisconnected(_logger, _watchers.Count);
            }
        }
    }

    public void Dispose() => _sampler?.Dispose();

    private void Publish(string eventType, TransferView view)
    {
        var json = JsonSerializer.Serialize(view, ProgressJsonContext.Default.TransferView);
        var published = new PublishedEvent(++_lastSequence, new SseItem<string>(json, eventType) { EventId = EventId(_lastSequence) });
        _ring.Add(published);
        foreach (var watcher in _watchers)
        {
            watcher.Offer(published);
        }
    }

    /// <summary>
    /// An event with no data and no type: browsers take its <c>retry:</c> and dispatch nothing (WHATWG HTML
    /// §9.2.6: an empty data buffer is not dispatched).
    /// </summary>
    private PublishedEvent Retry()
        => new(long.MinValue, new SseItem<string>(string.Empty) { ReconnectionInterval = _options.ReconnectDelay });

    private string EventId(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{_epoch}-{sequence}");

    private bool TryParseSequence(string? eventId, out long sequence)
    {
        sequence = 0;
        var dash = eventId?.LastIndexOf('-') ?? -1;
        return dash > 0
            && eventId.AsSpan(0, dash).SequenceEqual(_epoch)
            && long.TryParse(eventId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static TransferView View(Transfer transfer, TransferOutcome outcome, DateTimeOffset? endedAt)
        => new(transfer.Id, transfer.Key, transfer.Client, transfer.Range, transfer.BytesSent, transfer.TotalBytes,
            (long)transfer.BytesPerSecond, transfer.StartedAt, endedAt, outcome.ToString().ToLowerInvariant());

    /// <summary>How a range request is shown to operators.</summary>
    public static string DescribeRange(IReadOnlyList<Http.ByteRange> ranges, long fileLength) => ranges.Count switch
    {
        0 => "whole",
        1 => ranges[0].ToContentRange(fileLength),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ranges.Count} ranges"),
    };
}
