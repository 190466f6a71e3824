using System.Runtime.CompilerServices;

namespace LargeFileGateway.Progress;

/// <summary>
/// One connected watcher: a cursor into the shared ring (the last sequence it sent), nothing more. On each wake of
/// the shared <see cref="WakeSignal"/> it copies the events it has not sent yet, as one batch that the stream writes
/// and flushes once. When it is further behind than the ring holds or than <c>perWakeCap</c> events (a slow
/// reader, or thousands of downloads a second), it gets the catch-up snapshot instead, built once per wake for all
/// watchers. A slow watcher holds nothing but its cursor, so it never slows the publisher, and so never a download.
/// Disposing it unsubscribes it; there is nothing else to free.
/// </summary>
internal sealed class TransferWatcher : IDisposable
{
    /// <summary>
    /// Wake intervals between two catch-up snapshots of one watcher (16 x ProgressInterval: 4 s by default). Under a
    /// flood of downloads every wake finds a watcher too far behind. With 2,000 watchers beside 6,000 downloads a
    /// second (benchmarks/RESULTS.md, "Watchers of /events"), a snapshot (about 25 KB with the recent list full) at
    /// every wake cost half the downloads, one every 8 intervals 15 %, one every 16 intervals 5 %; what a watcher is
    /// sent per second stays bounded by the snapshot's size over 4 s, and a page redrawn every 4 s while thousands of
    /// downloads a second go by loses nothing a person could read.
    /// </summary>
    internal const int IntervalsPerCatchUp = 16;

    private readonly TransferRegistry _registry;
    private readonly TransferEventHub _hub;
    private readonly int _perWakeCap;
    private readonly IReadOnlyList<PublishedEvent> _initial;
    private readonly TimeSpan _catchUpInterval;
    private long _sent;
    private long _skipped;
    private int _disposed;
    private long _lastCatchUp;
    private bool _caughtUp;
    private int _deferredCatchUps;

    /// <summary>
    /// A watcher that starts with <paramref name="initial"/> (the <c>retry:</c> block, then a snapshot or the missed
    /// events), which covers the events up to <paramref name="sent"/>.
    /// </summary>
    public TransferWatcher(TransferRegistry registry, TransferEventHub hub, int perWakeCap, TimeSpan wakeInterval, IReadOnlyList<PublishedEvent> initial, long sent)
    {
        _catchUpInterval = wakeInterval * IntervalsPerCatchUp;
        _registry = registry;
        _hub = hub;
        _perWakeCap = perWakeCap;
        _initial = initial;
        _sent = sent;
    }

    /// <summary>
    /// Events this watcher did not get one by one, because it was (or is now) further behind than it may catch up
    /// event by event; each skip is made good by a snapshot.
    /// </summary>
    public long SkippedEvents
    {
        get
        {
            var behind = _hub.LastSequence - Volatile.Read(ref _sent);
            return Interlocked.Read(ref _skipped) + Math.Max(0, behind - _perWakeCap);
        }
    }

    /// <summary>
    /// How many times a catch-up snapshot was due later than the watcher needed it. Counted once the watcher's sleep
    /// until then is on its clock, so that whoever sees the count may move that clock and know the sleep sees it.
    /// </summary>
    internal int DeferredCatchUps => Volatile.Read(ref _deferredCatchUps);

    /// <summary>
    /// The batches this watcher should write, in order: the snapshot or resumed events it connected with, then what
    /// each wake brought, with a batch of <see cref="PublishedEvent.Heartbeat"/> after each quiet
    /// <paramref name="heartbeatInterval"/>. Ends when <paramref name="cancellationToken"/> fires (the client left)
    /// or the watcher is disposed. The list is reused: write it before asking for the next.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<PublishedEvent>> ReadBatchesAsync(TimeSpan heartbeatInterval, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return _initial;
        var batch = new List<PublishedEvent>();
        var heartbeat = new[] { PublishedEvent.Heartbeat };
        while (Volatile.Read(ref _disposed) == 0)
        {
            // Taken before looking: an event published after the look pulses this wake or a later one.
            var wake = _hub.Signal.Next;
            batch.Clear();
            if (CatchUp(batch, time, out var deferred))
            {
                yield return batch;
            }

            // A watcher whose catch-up snapshot is not due yet sleeps until it is, wakes or no wakes: the last wake of
            // a flood would otherwise leave it behind until the next event. It sends nothing meanwhile, so a heartbeat
            // interval shorter than that sleep still gets its heartbeat.
            var woken = deferred > TimeSpan.Zero
                ? await DelayAsync(deferred, heartbeatInterval, time, cancellationToken)
                : await WaitAsync(wake, heartbeatInterval, time, cancellationToken);
            if (woken == Wake.Closed)
            {
                yield break;
            }

            if (woken == Wake.Heartbeat && (deferred > TimeSpan.Zero || _hub.LastSequence == Volatile.Read(ref _sent)))
            {
                yield return heartbeat;
            }
        }
    }

    /// <summary>The events one at a time, in the order <see cref="ReadBatchesAsync"/> gives them.</summary>
    public async IAsyncEnumerable<PublishedEvent> ReadAllAsync(TimeSpan heartbeatInterval, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadBatchesAsync(heartbeatInterval, time, cancellationToken))
        {
            foreach (var published in batch)
            {
                yield return published;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.Unsubscribe(this);
        }
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with what this watcher has not sent yet; false when that is nothing, or when it
    /// needs a catch-up snapshot that is due only after <paramref name="deferred"/>.
    /// </summary>
    private bool CatchUp(List<PublishedEvent> batch, TimeProvider time, out TimeSpan deferred)
    {
        deferred = TimeSpan.Zero;
        var sent = _sent;
        var last = _hub.LastSequence;
        if (last <= sent)
        {
            return false;
        }

        if (last - sent <= _perWakeCap && _hub.TryCopyAfter(sent, last, batch))
        {
            Volatile.Write(ref _sent, last);
            return true;
        }

        // Too far behind to replay in order: one snapshot (shared by every watcher that needs one at this wake)
        // replaces the backlog. It covers up to its own sequence; later events come at the next wake.
        batch.Clear();
        var now = time.GetTimestamp();
        if (_caughtUp && time.GetElapsedTime(_lastCatchUp, now) is var since && since < _catchUpInterval)
        {
            deferred = _catchUpInterval - since;
            return false;
        }

        _caughtUp = true;
        _lastCatchUp = now;
        var snapshot = _registry.CatchUpSnapshot(sent);
        Interlocked.Add(ref _skipped, snapshot.Sequence - sent);
        Volatile.Write(ref _sent, snapshot.Sequence);
        batch.Add(snapshot);
        return true;
    }

    private async Task<Wake> DelayAsync(TimeSpan delay, TimeSpan heartbeatInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            // The timer first, the count second: counted before it, a clock moved on at the count (as the tests do,
            // from another thread) could pass before the timer was set, which would then wait that much longer.
            var sleep = Task.Delay(delay < heartbeatInterval ? delay : heartbeatInterval, time, cancellationToken);
            Interlocked.Increment(ref _deferredCatchUps);
            await sleep;
            return delay < heartbeatInterval ? Wake.Ready : Wake.Heartbeat;
        }
        catch (OperationCanceledException)
        {
            return Wake.Closed;
        }
    }

    private static async Task<Wake> WaitAsync(Task wake, TimeSpan heartbeatInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await wake.WaitAsync(heartbeatInterval, time, cancellationToken);
            return Wake.Ready;
        }
        catch (TimeoutException)
        {
            return Wake.Heartbeat;
        }
        catch (OperationCanceledException)
        {
            return Wake.Closed;
        }
    }

    private enum Wake
    {
        Ready,
        Heartbeat,
        Closed,
    }
}
