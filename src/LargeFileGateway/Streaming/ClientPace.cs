using System.Diagnostics;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Whether the client of one download is the slower side, judged by how long the flushes of its chunks wait: a flush
/// waits until the socket has taken about the chunk, so its wait is the client's pace. One chunk taken slower than
/// <see cref="SlowBytesPerSecond"/> makes it slow; it is fast again only after taking chunks faster than that over
/// <see cref="Window"/> of waiting.
/// </summary>
internal struct ClientPace
{
    /// <summary>
    /// Below this (8 Mbit/s) a client is the slower side: smaller chunks cost it no speed, and thousands of such
    /// clients hold a fraction of the memory (benchmarks/RESULTS.md, slow readers at scale).
    /// </summary>
    public const long SlowBytesPerSecond = 1024 * 1024;

    /// <summary>
    /// How much waiting a slow client's pace is averaged over before it counts as fast again. Not one chunk: the
    /// kernel wakes a writer only when a third of the socket buffer is free, so after a long wait a slow client's
    /// socket takes the next few chunks at once; judged by those it looked fast and got the full chunk again (with
    /// ~0.5 MiB of socket buffers each, 2,500 readers at 20 KiB/s held 52 KiB of pool blocks each instead of 8).
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private static readonly long s_windowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);

    private long _windowBytes;
    private long _windowTicks;

    public bool IsSlow { get; private set; }

    /// <summary>Counts one chunk of <paramref name="bytes"/> whose flush waited <paramref name="waitedTicks"/> (Stopwatch ticks).</summary>
    public void Flushed(int bytes, long waitedTicks)
    {
        if (!IsSlow)
        {
            IsSlow = IsSlower(bytes, waitedTicks);
            return;
        }

        _windowBytes += bytes;
        _windowTicks += waitedTicks;
        if (_windowTicks >= s_windowTicks)
        {
            IsSlow = IsSlower(_windowBytes, _windowTicks);
            _windowBytes = _windowTicks = 0;
        }
    }

    /// <summary>True when <paramref name="bytes"/> took longer than <see cref="SlowBytesPerSecond"/> allows.</summary>
    public static bool IsSlower(long bytes, long elapsedTicks)
        => (double)elapsedTicks * SlowBytesPerSecond > (double)bytes * Stopwatch.Frequency;
}
