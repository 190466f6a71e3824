namespace LargeFileGateway.Progress;

/// <summary>
/// The last <c>capacity</c> events, oldest overwritten first, so that a watcher reconnecting with
/// <c>Last-Event-ID</c> can be given exactly what it missed. Not thread-safe: the registry holds its lock.
/// </summary>
internal sealed class EventRing
{
    private readonly PublishedEvent[] _events;
    private int _count;
    private int _next;

    public EventRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _events = new PublishedEvent[capacity];
    }

    public int Count => _count;

    public void Add(PublishedEvent published)
    {
        _events[_next] = published;
        _next = (_next + 1) % _events.Length;
        _count = Math.Min(_count + 1, _events.Length);
    }

    /// <summary>
    /// The events after <paramref name="sequence"/>, when the ring still holds everything since then; false when
    /// some were overwritten (or the sequence is from the future), and the caller must send a snapshot instead.
    /// </summary>
    public bool TryGetAfter(long sequence, long lastSequence, out List<PublishedEvent> missed)
    {
        missed = [];
        if (sequence > lastSequence || sequence < 0)
        {
            return false;
        }

        var wanted = lastSequence - sequence;
        if (wanted > _count)
        {
            return false;
        }

        for (var i = _count - (int)wanted; i < _count; i++)
        {
            missed.Add(_events[(_next - _count + i + _events.Length) % _events.Length]);
        }

        return true;
    }
}
