using System.Collections.Concurrent;
using LargeFileGateway.Configuration;
using LargeFileGateway.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.Storage.Local;

/// <summary>One positional read: bytes read (0 at the end of the file), or <see cref="LocalReadScheduler.WouldBlock"/>.</summary>
internal delegate int PositionalRead(SafeFileHandle handle, Span<byte> buffer, long offset);

/// <summary>
/// Where local reads run, so that a slow or hung disk cannot stall the gateway.
/// </summary>
/// <remarks>
/// <para>Fast path: <c>preadv2(RWF_NOWAIT)</c> on the calling thread returns what the page cache holds without
/// waiting for the device. That is every chunk of a cached file and most of a cold sequential one (readahead runs
/// ahead of it), at the cost of the synchronous pread it replaces: no thread hop, no allocation (a hop per 64 KiB
/// chunk is what benchmarks/RESULTS.md item 9 removed).</para>
/// <para>Slow path, when the data is not cached (EAGAIN) or the file system cannot tell (EOPNOTSUPP, ENOSYS: never
/// asked again): the read runs on one of <see cref="LocalStorageOptions.IoThreads"/> dedicated threads, never on the
/// thread pool, into a buffer of its own and is copied out only if the caller still waits. The caller waits at
/// most <see cref="LocalStorageOptions.ReadTimeout"/>, or until its request is cancelled; a read stuck in the kernel
/// keeps its thread (nothing can interrupt it) but no longer its request. A request whose read is stuck gets no
/// second thread (<see cref="OpenedLocalFile.StuckReads"/>). A busy but healthy device only makes reads queue for a
/// thread (each still bounded by the read timeout, and skipped if its caller gave up while it waited); a read fails at
/// once as "instance overloaded" only when stuck reads hold every thread, or when the queue is far longer than the
/// threads could ever drain in time.</para>
/// </remarks>
internal sealed class LocalReadScheduler
{
    /// <summary>What a <see cref="PositionalRead"/> for the fast path returns when the read would wait for the device.</summary>
    public const int WouldBlock = -1;

    /// <summary>What a fast-path read returns when the file system cannot read without waiting at all.</summary>
    public const int CannotReadWithoutWaiting = -2;

    /// <summary>A thread idle this long ends; a burst of cold reads does not leave its threads behind for good.</summary>
    private static readonly TimeSpan IdleThreadLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Dedicated threads only wait in one system call: a small stack is plenty.</summary>
    private const int ThreadStackBytes = 256 * 1024;

    /// <summary>
    /// Reads admitted per thread, running and queued: a slow disk serving more cold streams than there are threads
    /// makes reads wait their turn rather than fail (a 503 or a reset for a healthy download); this bounds the queue.
    /// </summary>
    private const int AdmittedReadsPerThread = 16;

    private readonly object _lock = new();
    private readonly Queue<LocalReadOperation> _queue = new();
    private readonly ConcurrentQueue<LocalReadOperation> _free = new();
    private readonly int _maxThreads;
    private readonly ILogger _logger;
    private volatile bool _cachedReadsWork = OperatingSystem.IsLinux();
    private int _threads;
    private int _idleThreads;
    private int _admitted;
    private int _stuck;

    public LocalReadScheduler(LocalStorageOptions options, TimeProvider time, ILogger? logger = null)
    {
        _maxThreads = options.IoThreads;
        ReadTimeout = options.ReadTimeout;
        Time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The page-cache read of the fast path. Replaced only by tests that make storage slow or failing.</summary>
    internal PositionalRead CachedRead { get; set; } = ReadIfCached;

    /// <summary>The read that may wait for the device, on a dedicated thread. Replaced only by tests.</summary>
    internal PositionalRead DeviceRead { get; set; } = ReadFromDevice;

    /// <summary>Reads handed to dedicated threads and not yet returned by the kernel (stuck and queued ones included).</summary>
    internal int ReadsOnDevice => Volatile.Read(ref _admitted);

    /// <summary>Reads whose caller timed out while the kernel still holds them (each pins a thread).</summary>
    internal int StuckReads => Volatile.Read(ref _stuck);

    internal TimeSpan ReadTimeout { get; }

    internal TimeProvider Time { get; }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/> of <paramref name="file"/>.</summary>
    public ValueTask<int> ReadAsync(OpenedLocalFile file, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (file.StuckReads > 0)
        {
            return ValueTask.FromException<int>(OpenedLocalFile.StillStuck());
        }

        if (_cachedReadsWork)
        {
            int read;
            try
            {
                read = CachedRead(file.Handle, buffer.Span, offset);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ValueTask.FromException<int>(file.Failed(ex, offset));
            }

            if (read >= 0)
            {
                return ValueTask.FromResult(read);
            }

            if (read == CannotReadWithoutWaiting)
            {
                _cachedReadsWork = false;
            }
        }

        return ReadOnDedicatedThread(file, buffer, offset, cancellationToken);
    }

    private ValueTask<int> ReadOnDedicatedThread(OpenedLocalFile file, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > _maxThreads * AdmittedReadsPerThread || Volatile.Read(ref _stuck) >= _maxThreads)
        {
            Interlocked.Decrement(ref _admitted);
            Log.LocalReadsOverloaded(_logger, file.Metadata.Key, _maxThreads);
            return ValueTask.FromException<int>(new StorageUnavailableException("Every local I/O thread is busy.") { IsInstanceOverloaded = true });
        }

        if (!_free.TryDequeue(out var operation))
        {
            operation = new LocalReadOperation(this);
        }

        var pending = operation.Start(file, buffer, offset, cancellationToken);
        Dispatch(operation);
        return pending;
    }

    /// <summary>Called by an operation once the kernel returned (or threw), whether or not its caller still waits.</summary>
    internal void OnDeviceReadReturned() => Interlocked.Decrement(ref _admitted);

    internal void Recycle(LocalReadOperation operation) => _free.Enqueue(operation);

    internal void OnTimedOut(OpenedLocalFile file, long offset)
    {
        Interlocked.Increment(ref _stuck);
        Log.LocalReadTimedOut(_logger, file.Metadata.Key, offset, ReadTimeout, ReadsOnDevice);
        file.ReadTimedOut();
    }

    /// <summary>A read that had timed out came back from the kernel (or was never started): its thread is free again.</summary>
    internal void OnStuckReadReturned() => Interlocked.Decrement(ref _stuck);

    private void Dispatch(LocalReadOperation operation)
    {
        var startThread = false;
        lock (_lock)
        {
            _queue.Enqueue(operation);
            if (_queue.Count > _idleThreads && _threads < _maxThreads)
            {
                _threads++;
                startThread = true;
            }
            else
            {
                Monitor.Pulse(_lock);
            }
        }

        if (startThread)
        {
            new Thread(RunWorker, ThreadStackBytes) { IsBackground = true, Name = "Local file I/O" }.Start();
        }
    }

    private void RunWorker()
    {
        while (true)
        {
            LocalReadOperation operation;
            lock (_lock)
            {
                while (_queue.Count == 0)
                {
                    _idleThreads++;
                    var woken = Monitor.Wait(_lock, IdleThreadLifetime);
                    _idleThreads--;
                    if (!woken && _queue.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                }

                operation = _queue.Dequeue();
            }

            operation.Execute();
        }
    }

    private static int ReadIfCached(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var read = Libc.ReadIfCached(handle, buffer, offset, out var errno);
        return errno switch
        {
            0 => read,
            Errno.WouldBlock => WouldBlock,
            Errno.NotSupported or Errno.NotImplemented or Errno.InvalidArgument => CannotReadWithoutWaiting,
            _ => throw ErrnoException(errno),
        };
    }

    private static int ReadFromDevice(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        if (!OperatingSystem.IsLinux())
        {
            return RandomAccess.Read(handle, buffer, offset);
        }

        var read = Libc.Read(handle, buffer, offset, out var errno);
        return errno == 0 ? read : throw ErrnoException(errno);
    }

    // As .NET does for its own Unix I/O errors: the raw errno is the HResult.
    private static IOException ErrnoException(int errno) => new($"A local read failed ({Errno.Name(errno)}).", errno);
}
