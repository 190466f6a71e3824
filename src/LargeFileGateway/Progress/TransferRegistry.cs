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
/// coalesced progress events (<see cref="TransferRate"/>). Each event is serialized once and handed to the
/// <see cref="TransferEventHub"/>, which numbers it and keeps it in the ring the watchers copy from. One lock
/// orders all of it, so a snapshot and the sequence it covers always agree; the lock is never taken per chunk.
/// </summary>
internal sealed class TransferRegistry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Transfer> _active = [];
    private readonly Queue<TransferView> _recent = new();
    private readonly TransferEventHub _events;
    private readonly EventsOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer? _sampler;
    private readonly ILogger _logger;
    private long _lastTransferId;
    private long _completed;
    private long _aborted;
    private long _failed;
    private long _finishedBytes;
    private PublishedEvent? _sharedSnapshot;
    private long _sharedSnapshotGeneration;

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
        // Watchers copy from the ring: one that may fall WatcherQueueCapacity events behind before it gets a snapshot
        // needs a ring at least that long, or the ring would decide for it.
        _events = new TransferEventHub(Math.Max(options.RingCapacity, options.WatcherQueueCapacity), time.GetUtcNow(), options.ProgressInterval, time);
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
                return _events.Watchers.Count;
            }
        }
    }

    /// <summary>Events the watchers connected now did not get one by one (too far behind), each made good by a snapshot.</summary>
    public long SkippedEvents
    {
        get
        {
            lock (_lock)
            {
                return _events.Watchers.Sum(watcher => watcher.SkippedEvents);
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

                transfer.BytesPerSecond = TransferRate.Next(transfer.BytesPerSecond, moved, _time.GetElapsedTime(transfer.SampledTimestamp, now));
                transfer.SampledBytes = sent;
                transfer.SampledTimestamp = now;
                Publish("progress", View(transfer, TransferOutcome.Active, endedAt: null));
            }
        }
    }

    /// <summary>
    /// Subscribes a watcher. After a <paramref name="lastEventId"/> from this process that the ring still covers,
    /// it starts with the events it missed; otherwise with a snapshot (the one of this wake, when there is one: two
    /// thousand watchers connecting at once build it once).
    /// </summary>
    public TransferWatcher Subscribe(string? lastEventId)
    {
        lock (_lock)
        {
            List<PublishedEvent> initial = [Retry()];
            var resumed = _events.TryGetMissed(lastEventId, out var missed);
            long sent;
            if (resumed)
            {
                initial.AddRange(missed!);
                sent = _events.LastSequence;
            }
            else
            {
                var snapshot = SharedSnapshot(after: 0);
                initial.Add(snapshot);
                sent = snapshot.Sequence;
            }

            var watcher = new TransferWatcher(this, _events, _options.WatcherQueueCapacity, _options.ProgressInterval, initial, sent);
            _events.Add(watcher);
            Log.WatcherConnected(_logger, resumed ? "resumed" : "snapshot", _events.Watchers.Count);
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
            return _events.AsOfNow("snapshot", json);
        }
    }

    /// <summary>The snapshot for a watcher that fell further behind than it may catch up event by event.</summary>
    internal PublishedEvent CatchUpSnapshot(long sent)
    {
        Log.WatcherFellBehind(_logger, _options.WatcherQueueCapacity);
        lock (_lock)
        {
            return SharedSnapshot(sent);
        }
    }

    internal void Unsubscribe(TransferWatcher watcher)
    {
        lock (_lock)
        {
            if (_events.Remove(watcher))
            {
                Log.WatcherDisconnected(_logger, _events.Watchers.Count);
            }
        }
    }

    public void Dispose()
    {
        _sampler?.Dispose();
        _events.Dispose();
    }

    /// <summary>
    /// The snapshot built at this wake of the watchers, built now when there is none yet or it is older than what
    /// the asking watcher has sent (<paramref name="after"/>). A snapshot as of an earlier sequence is still exact:
    /// the watcher gets the events after it next. Called under the lock.
    /// </summary>
    private PublishedEvent SharedSnapshot(long after)
    {
        var generation = _events.Signal.Generation;
        if (_sharedSnapshot is not { } shared || _sharedSnapshotGeneration != generation || shared.Sequence < after)
        {
            _sharedSnapshot = shared = CreateSnapshot();
            _sharedSnapshotGeneration = generation;
        }

        return shared;
    }

    private void Publish(string eventType, TransferView view)
        => _events.Publish(eventType, JsonSerializer.Serialize(view, ProgressJsonContext.Default.TransferView));

    /// <summary>
    /// An event with no data and no type: the stream carries only its <c>retry:</c> field, which browsers apply
    /// without dispatching anything (WHATWG HTML §9.2.6: an empty data buffer is not dispatched).
    /// </summary>
    private PublishedEvent Retry()
        => new(long.MinValue, new SseItem<string>(string.Empty) { ReconnectionInterval = _options.ReconnectDelay });

    private static TransferView View(Transfer transfer, TransferOutcome outcome, DateTimeOffset? endedAt)
        => new(transfer.Id, transfer.Key, transfer.Client, transfer.Range, transfer.BytesSent, transfer.TotalBytes,
            (long)transfer.BytesPerSecond, transfer.StartedAt, endedAt, outcome.ToString().ToLowerInvariant(), transfer.RateLimit, transfer.LimitedBy, transfer.Throttled && endedAt is null);

    /// <summary>How a range request is shown to operators.</summary>
    public static string DescribeRange(IReadOnlyList<Http.ByteRange> ranges, long fileLength) => ranges.Count switch
    {
        0 => "whole",
        1 => ranges[0].ToContentRange(fileLength),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ranges.Count} ranges"),
    };
}
