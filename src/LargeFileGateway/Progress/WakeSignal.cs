namespace LargeFileGateway.Progress;

/// <summary>
/// The one signal that wakes every watcher, at most once per interval: the first event after a quiet interval wakes
/// them at once, later ones within the interval are gathered into one wake at its end. Publishing costs the same
/// with no watcher or with thousands (a flag and, at most, one timer change); the fan-out to the waiting watchers
/// runs on the thread pool, never on the publisher's thread, which holds the registry's lock.
/// </summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ITimer _timer;
    private TaskCompletionSource _next = NewSource();
    private long _lastWake;
    private long _generation;
    private bool _scheduled;

    public WakeSignal(TimeSpan interval, TimeProvider time)
    {
        _interval = interval;
        _time = time;

        // Counting the start as a wake keeps the interval from the first moment: a burst at startup is one wake too.
        _lastWake = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((WakeSignal)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Completes at the next wake. Take it before looking for work, so a wake in between is never missed.</summary>
    public Task Next
    {
        get
        {
            lock (_lock)
            {
                return _next.Task;
            }
        }
    }

    /// <summary>How many wakes there have been: things built once per wake (the catch-up snapshot) are keyed on it.</summary>
    public long Generation
    {
        get
        {
            lock (_lock)
            {
                return _generation;
            }
        }
    }

    /// <summary>Something new was published: wake the watchers now, or at the end of the current interval.</summary>
    public void Pulse()
    {
        TaskCompletionSource? woken;
        lock (_lock)
        {
            if (_scheduled)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var since = _time.GetElapsedTime(_lastWake, now);
            if (since < _interval)
            {
                _scheduled = true;
                _timer.Change(_interval - since, Timeout.InfiniteTimeSpan);
                return;
            }

            woken = Swap(now);
        }

        ThreadPool.UnsafeQueueUserWorkItem(static source => source.TrySetResult(), woken, preferLocal: false);
    }

    public void Dispose() => _timer.Dispose();

    private void OnTimer()
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            _scheduled = false;
            woken = Swap(_time.GetTimestamp());
        }

        woken.TrySetResult();
    }

    private TaskCompletionSource Swap(long now)
    {
        var woken = _next;
        _next = NewSource();
        _lastWake = now;
        _generation++;
        return woken;
    }

    // Asynchronous continuations: completing the source queues each waiting watcher instead of running it inline.
    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
