using System.Diagnostics;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Whether one download's client takes its bytes fast enough to be given full chunks. A download starts slow and is
/// fast once it has taken <see cref="WindowBytes"/> within <see cref="Window"/>, judged again over every such
/// window, so it turns slow again within a window of falling behind.
/// </summary>
/// <remarks>
/// Why it starts slow rather than judging by the first flushes: the kernel's socket buffers take the first few hundred
/// KiB of even the slowest client at memory speed, and the chunk in Kestrel's pipe when they fill stays there for the
/// whole wait that follows (until a third of the send buffer drains: tens of seconds at 20 KiB/s). A download judged
/// fast from that burst waited with a full chunk, and the pool blocks of 2,500 such bursts stayed in Kestrel's pool
/// afterwards (47 KiB per connection held, 16 in use; benchmarks/RESULTS.md, slow readers at scale). The window is
/// larger than a slow client's socket buffers can take at once, so no burst makes a client fast. A fast client pays
/// the small chunks for its first <see cref="WindowBytes"/> only: 8 ms at 1 GiB/s.
/// </remarks>
internal struct ClientPace
{
    /// <summary>Bytes a client must take within <see cref="Window"/> to be fast: 16 MiB/s.</summary>
    public const long WindowBytes = 8 * 1024 * 1024;

    /// <summary>How long a window of <see cref="WindowBytes"/> may take for the client to count as fast.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    private static readonly long s_windowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);

    private long _windowStarted;
    private long _windowBytes;

    public bool IsFast { get; private set; }

    /// <summary>Starts the first window at <paramref name="timestamp"/> (Stopwatch ticks), before the first chunk.</summary>
    public void Start(long timestamp) => _windowStarted = timestamp;

    /// <summary>Counts <paramref name="bytes"/> the client took by <paramref name="timestamp"/> (Stopwatch ticks).</summary>
    public void Taken(int bytes, long timestamp)
    {
        _windowBytes += bytes;
        var elapsed = timestamp - _windowStarted;
        if (_windowBytes >= WindowBytes)
        {
            IsFast = elapsed <= s_windowTicks;
        }
        else if (elapsed > s_windowTicks)
        {
            IsFast = false;
        }
        else
        {
            return;
        }

        _windowStarted = timestamp;
        _windowBytes = 0;
    }
}
