using System.Globalization;
using System.Net.ServerSentEvents;

namespace LargeFileGateway.Progress;

/// <summary>
/// Numbers events, keeps the last ones in a ring for <c>Last-Event-ID</c> resume and for the watchers to copy from,
/// and pulses the one <see cref="WakeSignal"/> they all wait on. Publishing does no work per watcher: a watcher
/// copies what it has not sent yet when it wakes (at most once per interval), so the cost of an event is the same
/// with one watcher or two thousand. Writes are not thread-safe: <see cref="TransferRegistry"/> calls them under
/// its lock, so that a snapshot and the sequence it covers always agree; <see cref="LastSequence"/> and
/// <see cref="TryCopyAfter"/> are read by watchers without it.
/// </summary>
internal sealed class TransferEventHub : IDisposable
{
    private readonly HashSet<TransferWatcher> _watchers = [];
    private readonly EventRing _ring;
    private readonly string _epoch;
    private long _lastSequence;

    public TransferEventHub(int ringCapacity, DateTimeOffset startedAt, TimeSpan wakeInterval, TimeProvider time)
    {
        _ring = new EventRing(ringCapacity);
        Signal = new WakeSignal(wakeInterval, time);

        // Event ids are "{epoch}-{sequence}": a reconnect to a restarted gateway names another epoch and gets a
        // snapshot instead of a resume against sequences that mean something else now.
        _epoch = startedAt.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>The sequence of the last event published; read by watchers without the registry's lock.</summary>
    public long LastSequence => Volatile.Read(ref _lastSequence);

    public WakeSignal Signal { get; }

    public IReadOnlyCollection<TransferWatcher> Watchers => _watchers;

    public void Publish(string eventType, string json)
    {
        var sequence = _lastSequence + 1;
        _ring.Add(new PublishedEvent(sequence, new SseItem<string>(json, eventType) { EventId = EventId(sequence) }));

        // The event is in the ring before its sequence is published: a watcher that sees the sequence finds it.
        Volatile.Write(ref _lastSequence, sequence);
        Signal.Pulse();
    }

    /// <summary>An event that carries state as of <see cref="LastSequence"/> (a snapshot): not numbered, not kept.</summary>
    public PublishedEvent AsOfNow(string eventType, string json)
        => new(_lastSequence, new SseItem<string>(json, eventType) { EventId = EventId(_lastSequence) });

    /// <summary>The events after <paramref name="lastEventId"/>, when it is from this process and still in the ring.</summary>
    public bool TryGetMissed(string? lastEventId, out List<PublishedEvent>? missed)
    {
        missed = null;
        return TryParseSequence(lastEventId, out var sequence) && _ring.TryGetAfter(sequence, _lastSequence, out missed);
    }

    /// <summary>Without the lock: the events after <paramref name="sequence"/> up to <paramref name="lastSequence"/>, if the ring still has them.</summary>
    public bool TryCopyAfter(long sequence, long lastSequence, List<PublishedEvent> into) => _ring.TryCopyAfter(sequence, lastSequence, into);

    public void Add(TransferWatcher watcher) => _watchers.Add(watcher);

    public bool Remove(TransferWatcher watcher) => _watchers.Remove(watcher);

    public void Dispose() => Signal.Dispose();

    private string EventId(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{_epoch}-{sequence}");

    private bool TryParseSequence(string? eventId, out long sequence)
    {
        sequence = 0;
        var dash = eventId?.LastIndexOf('-') ?? -1;
        return dash > 0
            && eventId.AsSpan(0, dash).SequenceEqual(_epoch)
            && long.TryParse(eventId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
