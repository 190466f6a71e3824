namespace LargeFileGateway.Progress;

/// <summary>
/// The last <c>capacity</c> events, oldest overwritten first, so that a watcher reconnecting with
/// <c>Last-Event-ID</c> can be given exactly what it missed, and a connected watcher can copy what it has not sent
/// yet. Events are numbered 1, 2, 3, ... and event <c>n</c> lives in slot <c>n % capacity</c>: one writer (the
/// registry, under its lock) and any number of readers without a lock, which check each slot's sequence to tell an
/// event from the one that overwrote it.
/// </summary>
internal sealed class EventRing
{
    private readonly PublishedEvent?[] _events;
    private int _count;

    public EventRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _events = new PublishedEvent?[capacity];
    }

    public int Capacity => _events.Length;

    public int Count => _count;

    /// <summary>Stores the next event (its sequence one more than the last one's). One writer at a time.</summary>
    public void Add(PublishedEvent published)
    {
        Volatile.Write(ref _events[Slot(published.Sequence)], published);
        _count = Math.Min(_count + 1, _events.Length);
    }

    /// <summary>
    /// The events after <paramref name="sequence"/>, when the ring still holds everything since then; false when
    /// some were overwritten (or the sequence is from the future), and the caller must send a snapshot instead.
    /// </summary>
    public bool TryGetAfter(long sequence, long lastSequence, out List<PublishedEvent> missed)
    {
        missed = [];
        return TryCopyAfter(sequence, lastSequence, missed);
    }

    /// <summary>
    /// Appends the events <paramref name="sequence"/> + 1 to <paramref name="lastSequence"/> to
    /// <paramref name="into"/>; false (with <paramref name="into"/> in any state) when one of them was overwritten,
    /// is not there yet or the range is not a range. Safe beside <see cref="Add"/>: the writer stores an event before
    /// it publishes its sequence, and a slot that holds another sequence is read as overwritten.
    /// </summary>
    public bool TryCopyAfter(long sequence, long lastSequence, List<PublishedEvent> into)
    {
        if (sequence > lastSequence || sequence < 0 || lastSequence - sequence > _events.Length)
        {
            return false;
        }

        for (var wanted = sequence + 1; wanted <= lastSequence; wanted++)
        {
            var published = Volatile.Read(ref _events[Slot(wanted)]);
            if (published is null || published.Sequence != wanted)
            {
                return false;
            }

            into.Add(published);
        }

        return true;
    }

    private int Slot(long sequence) => (int)(sequence % _events.Length);
}
