using System.Globalization;
using System.Net.ServerSentEvents;

namespace LargeFileGateway.Progress;

/// <summary>
/// Numbers events, keeps the last ones in a ring for <c>Last-Event-ID</c> resume and offers each to every
/// watcher's bounded queue. Not thread-safe: <see cref="TransferRegistry"/> calls it under its lock, so that a
/// snapshot and the sequence it covers always agree.
/// </summary>
internal sealed class TransferEventHub
{
    private readonly HashSet<TransferWatcher> _watchers = [];
    private readonly EventRing _ring;
    private readonly string _epoch;

    public TransferEventHub(int ringCapacity, DateTimeOffset startedAt)
    {
        _ring = new EventRing(ringCapacity);

        // Event ids are "{epoch}-{sequence}": a reconnect to a restarted gateway names another epoch and gets a
        // snapshot instead of a resume against sequences that mean something else now.
        _epoch = startedAt.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>The sequence of the last event published.</summary>
    public long LastSequence { get; private set; }

    public IReadOnlyCollection<TransferWatcher> Watchers => _watchers;

    public void Publish(string eventType, string json)
    {
        var sequence = ++LastSequence;
        var published = new PublishedEvent(sequence, new SseItem<string>(json, eventType) { EventId = EventId(sequence) });
        _ring.Add(published);
        foreach (var watcher in _watchers)
        {
            watcher.Offer(published);
        }
    }

    /// <summary>An event that carries state as of <see cref="LastSequence"/> (a snapshot): not numbered, not kept.</summary>
    public PublishedEvent AsOfNow(string eventType, string json)
        => new(LastSequence, new SseItem<string>(json, eventType) { EventId = EventId(LastSequence) });

    /// <summary>The events after <paramref name="lastEventId"/>, when it is from this process and still in the ring.</summary>
    public bool TryGetMissed(string? lastEventId, out List<PublishedEvent>? missed)
    {
        missed = null;
        return TryParseSequence(lastEventId, out var sequence) && _ring.TryGetAfter(sequence, LastSequence, out missed);
    }

    public void Add(TransferWatcher watcher) => _watchers.Add(watcher);

    public bool Remove(TransferWatcher watcher) => _watchers.Remove(watcher);

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
