using System.Threading.Tasks.Sources;

namespace LargeFileGateway.Storage.Local;

/// <summary>
/// One read on a dedicated I/O thread, pooled with its buffer and timer so that the slow path allocates nothing per
/// chunk either. It completes exactly once, by whichever comes first: the kernel's answer, the read timeout, or the
/// request's cancellation. It goes back to the pool only when both its awaiter has taken the result and the kernel
/// has returned, so a read stuck past its timeout never writes into a buffer someone else now uses: it reads into
/// its own buffer, copied to the caller's only while the caller still waits.
/// </summary>
internal sealed class LocalReadOperation : IValueTaskSource<int>
{
    private const int Pending = 0;
    private const int Completed = 1;
    private const int TimedOut = 2;
    private const int Canceled = 3;

    /// <summary>The smallest buffer an operation keeps: the default chunk size.</summary>
    private const int MinBufferBytes = 64 * 1024;

    private readonly LocalReadScheduler _scheduler;
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<int> _completion;
    private byte[] _buffer = [];
    private OpenedLocalFile? _file;
    private Memory<byte> _destination;
    private long _offset;
    private long _deadline;
    private CancellationTokenRegistration _cancellation;
    private int _state;
    private int _owners;

    public LocalReadOperation(LocalReadScheduler scheduler)
    {
        _scheduler = scheduler;

        // Continuations run on the thread pool, never on the I/O thread, which must be free for the next read.
        _completion.RunContinuationsAsynchronously = true;
        _timer = scheduler.Time.CreateTimer(static state => ((LocalReadOperation)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ValueTask<int> Start(OpenedLocalFile file, Memory<byte> destination, long offset, CancellationToken cancellationToken)
    {
        if (_buffer.Length < destination.Length)
        {
            _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(destination.Length, MinBufferBytes));
        }

        _completion.Reset();
        (_file, _destination, _offset, _owners) = (file, destination, offset, 2);
        _deadline = _scheduler.Time.GetTimestamp() + (long)(_scheduler.ReadTimeout.TotalSeconds * _scheduler.Time.TimestampFrequency);

        // Published last: a timer callback of the previous read still in flight sees Pending only with this read's
        // own file and deadline, never the last read's deadline with this read's state.
        Volatile.Write(ref _state, Pending);
        _timer.Change(_scheduler.ReadTimeout, Timeout.InfiniteTimeSpan);
        _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((LocalReadOperation)state!).OnCanceled(token), this);
        return new ValueTask<int>(this, _completion.Version);
    }

    /// <summary>Runs on a dedicated I/O thread: the read itself, which may block for as long as the device does.</summary>
    public void Execute()
    {
        var file = _file!;
        var given = Volatile.Read(ref _state);
        if (given != Pending)
        {
            // Its caller timed out or left while it waited for a thread: nobody wants these bytes, and reading them
            // on a dead device would pin this thread for nothing.
            _scheduler.OnDeviceReadReturned();
            if (given == TimedOut)
            {
                Interlocked.Decrement(ref file.StuckReads);
                _scheduler.OnStuckReadReturned();
            }

            Release();
            return;
        }

        var length = _destination.Length;
        int read;
        Exception? failure = null;
        try
        {
            read = _scheduler.DeviceRead(file.Handle, _buffer.AsSpan(0, length), _offset);
        }
        catch (Exception ex)
        {
            read = 0;
            failure = ex is IOException or UnauthorizedAccessException ? file.Failed(ex, _offset) : ex;
        }

        _scheduler.OnDeviceReadReturned();
        var state = Interlocked.CompareExchange(ref _state, Completed, Pending);
        if (state == Pending)
        {
            StopWaiting();
            if (failure is null)
            {
                _buffer.AsSpan(0, read).CopyTo(_destination.Span);
                _completion.SetResult(read);
            }
            else
            {
                _completion.SetException(failure);
            }
        }
        else if (state == TimedOut)
        {
            // The request gave up on this read long ago; its file may now get a thread again.
            Interlocked.Decrement(ref file.StuckReads);
            _scheduler.OnStuckReadReturned();
        }

        Release();
    }

    public int GetResult(short token)
    {
        try
        {
            return _completion.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _completion.OnCompleted(continuation, state, token, flags);

    private void OnTimer()
    {
        if (Volatile.Read(ref _state) != Pending || _file is not { } file)
        {
            return;
        }

        // Timers may fire a little early by the stopwatch, and a callback already running when this operation was
        // recycled belongs to an earlier read: either way, wait for the rest of this read's own deadline.
        var remaining = _scheduler.Time.GetElapsedTime(_scheduler.Time.GetTimestamp(), _deadline);
        if (remaining > TimeSpan.Zero)
        {
            _timer.Change(remaining, Timeout.InfiniteTimeSpan);
            return;
        }

        // Counted before the state changes, so the I/O thread that sees TimedOut always has a count to take back.
        Interlocked.Increment(ref file.StuckReads);
        if (Interlocked.CompareExchange(ref _state, TimedOut, Pending) != Pending)
        {
            Interlocked.Decrement(ref file.StuckReads);
            return;
        }

        _cancellation.Unregister();
        _scheduler.OnTimedOut(file, _offset);
        _completion.SetException(OpenedLocalFile.TimedOut(_scheduler.ReadTimeout));
    }

    private void OnCanceled(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Canceled, Pending) != Pending)
        {
            return;
        }

        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _completion.SetException(new OperationCanceledException(token));
    }

    private void StopWaiting()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation.Unregister();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _owners) != 0)
        {
            return;
        }

        // Waits for a cancellation callback still running on another thread, so none reaches the next read.
        _cancellation.Dispose();
        (_file, _destination) = (null, default);
        _scheduler.Recycle(this);
    }
}
