using LargeFileGateway.Storage.Local;
using Microsoft.Win32.SafeHandles;

namespace LargeFileGateway.IntegrationTests.Storage;

/// <summary>
/// Makes the local reads of one file of a running gateway hang or fail, by replacing the two reads of its
/// <see cref="LocalReadScheduler"/> (the page-cache read and the device read); every other file reads as usual.
/// A hung read stays in its I/O thread, as one stuck in the kernel would, until this is disposed.
/// </summary>
internal sealed class LocalReadFaults : IDisposable
{
    private readonly LocalReadScheduler _scheduler;
    private readonly PositionalRead _cachedRead;
    private readonly PositionalRead _deviceRead;
    private readonly ManualResetEventSlim _release = new();
    private readonly SemaphoreSlim _hung = new(0);

    public LocalReadFaults(LocalReadScheduler scheduler)
    {
        _scheduler = scheduler;
        (_cachedRead, _deviceRead) = (scheduler.CachedRead, scheduler.DeviceRead);
        scheduler.CachedRead = (handle, buffer, offset) => Read(handle, buffer, offset, onDevice: false);
        scheduler.DeviceRead = (handle, buffer, offset) => Read(handle, buffer, offset, onDevice: true);
    }

    /// <summary>Every read of the file with this name waits for the device, and the device never answers.</summary>
    public string? HangingFile { get; init; }

    /// <summary>Reads of the file with this name fail once they reach <see cref="FailAtOffset"/>.</summary>
    public string? FailingFile { get; init; }

    public long FailAtOffset { get; init; }

    public Func<Exception> Failure { get; init; } = () => new IOException("ESTALE", 116);

    /// <summary>Device reads that failed or started hanging so far.</summary>
    public int Faults => _faults;

    private int _faults;

    /// <summary>Waits until <paramref name="count"/> more reads hang in their I/O threads.</summary>
    public async Task<bool> WaitForHungReadsAsync(int count, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await _hung.WaitAsync(timeout.Token);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        (_scheduler.CachedRead, _scheduler.DeviceRead) = (_cachedRead, _deviceRead);
        _release.Set();
    }

    private int Read(SafeFileHandle handle, Span<byte> buffer, long offset, bool onDevice)
    {
        var name = Path.GetFileName(RealPath.OfHandle(handle, string.Empty));
        if (name == HangingFile)
        {
            if (!onDevice)
            {
                return LocalReadScheduler.WouldBlock;
            }

            Interlocked.Increment(ref _faults);
            _hung.Release();

            // Bounded, so that a test that forgets to dispose cannot keep the thread for ever.
            _release.Wait(TimeSpan.FromMinutes(2));
        }
        else if (name == FailingFile && offset + buffer.Length > FailAtOffset)
        {
            if (offset >= FailAtOffset)
            {
                Interlocked.Increment(ref _faults);
                throw Failure();
            }

            buffer = buffer[..(int)(FailAtOffset - offset)];
        }

        return onDevice ? _deviceRead(handle, buffer, offset) : _cachedRead(handle, buffer, offset);
    }
}
