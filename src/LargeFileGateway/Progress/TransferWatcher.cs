using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace LargeFileGateway.Progress;

/// <summary>
/// One connected watcher: a bounded queue that the registry offers events to without ever waiting. When the
/// watcher reads too slowly the queue fills, further events are dropped and the watcher is marked behind; it then
/// throws its backlog away and gets one fresh snapshot. A slow watcher costs a bounded amount of memory and never
/// slows the publisher, and so never slows a download. Disposing it unsubscribes it and frees its queue.
/// </summary>
internal sealed class TransferWatcher : IDisposable
{
    private readonly TransferRegistry _registry;
    private readonly Channel<PublishedEvent> _queue;
    private readonly IReadOnlyList<PublishedEvent> _initial;
    private int _behind;
    private int _disposed;
    private long _dropped;

    public TransferWatcher(TransferRegistry registry, int queueCapacity, IReadOnlyList<PublishedEvent> initial)
    {
        _registry = registry;
        _initial = initial;
        _queue = Channel.CreateBounded<PublishedEvent>(
            new BoundedChannelOptions(queueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
            },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                Volatile.Write(ref _behind, 1);
            });
    }

    /// <summary>Events this watcher missed because its queue was full (each miss is made good by a snapshot).</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>Called by the registry under its lock; never blocks.</summary>
    internal void Offer(PublishedEvent published) => _queue.Writer.TryWrite(published);

    /// <summary>
    /// The events this watcher should send, in order: the snapshot or resumed events it connected with, then live
    /// events, with <see cref="PublishedEvent.Heartbeat"/> after each quiet <paramref name="heartbeatInterval"/>.
    /// Ends when <paramref name="cancellationToken"/> fires (the client left) or the watcher is disposed.
    /// </summary>
    public async IAsyncEnumerable<PublishedEvent> ReadAllAsync(TimeSpan heartbeatInterval, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastSequence = long.MinValue;
        foreach (var published in _initial)
        {
            lastSequence = Math.Max(lastSequence, published.Sequence);
            yield return published;
        }

        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= _queue.Reader.WaitToReadAsync(cancellationToken).AsTask();
            var wake = await WaitAsync(waiting, heartbeatInterval, time, cancellationToken);
            if (wake == Wake.Closed)
            {
                yield break;
            }

            if (wake == Wake.Heartbeat)
            {
                yield return PublishedEvent.Heartbeat;
                continue;
            }

            waiting = null;
            if (Interlocked.Exchange(ref _behind, 0) == 1)
            {
                // Dropped events cannot be replayed in order: discard the rest and start again from a snapshot.
                // Anything queued after this point with a sequence the snapshot already covers is skipped below.
                while (_queue.Reader.TryRead(out _))
                {
                }

                var snapshot = _registry.CatchUp();
                lastSequence = snapshot.Sequence;
                yield return snapshot;
                continue;
            }

            while (_queue.Reader.TryRead(out var published))
            {
                if (published.Sequence > lastSequence)
                {
                    lastSequence = published.Sequence;
                    yield return published;
                }
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.Unsubscribe(this);
            _queue.Writer.TryComplete();
        }
    }

    private static async Task<Wake> WaitAsync(Task<bool> waiting, TimeSpan heartbeatInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await waiting.WaitAsync(heartbeatInterval, time, cancellationToken) ? Wake.Ready : Wake.Closed;
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
