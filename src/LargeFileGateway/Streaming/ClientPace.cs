using System.Diagnostics;
using Microsoft.AspNetCore.Connections.Features;

namespace LargeFileGateway.Streaming;

/// <summary>
/// Whether a client takes its bytes fast enough to be given full chunks. It starts slow and is fast once it has taken
/// <see cref="WindowBytes"/> within <see cref="Window"/> (2 MiB/s), judged again over every such window, so it turns
/// slow again within a window of falling behind. On HTTP/1.x one pace serves every request of a connection
/// (<see cref="For"/>), so a keep-alive client that has shown its speed keeps full chunks for its next ranges.
/// </summary>
/// <remarks>
/// Why it starts slow rather than judging by the first flushes: the kernel's socket buffers take the first few hundred
/// KiB of even the slowest client at memory speed, and the chunk in Kestrel's pipe when they fill stays there for the
/// whole wait that follows (until a third of the send buffer drains: tens of seconds at 20 KiB/s). A download judged
/// fast from that burst waited with a full chunk, and the pool blocks of 1,000 such bursts stayed in Kestrel's pool
/// afterwards (47 KiB per connection held, 16 in use; benchmarks/RESULTS.md, slow readers at scale). The window is
/// larger than a slow client's socket buffers can take at once, so no burst makes a client fast. The rate is low
/// (2 MiB/s), because what a full chunk costs in memory matters only for clients far slower than that, while small
/// chunks cost CPU per byte at every speed: a 12 MiB/s client took 1.6 x the CPU per byte in 8 KiB chunks.
/// </remarks>
internal sealed class ClientPace
{
    /// <summary>Bytes a client must take within <see cref="Window"/> to be fast.</summary>
    public const long WindowBytes = 8 * 1024 * 1024;

    /// <summary>How long a window of <see cref="WindowBytes"/> may take for the client to count as fast: 2 MiB/s.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    private static readonly long s_windowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);

    private long _windowStarted;
    private long _windowBytes;
    private long _lastTaken;

    public bool IsFast { get; private set; }

    /// <summary>
    /// Bytes per second the client took over its last judged window (0 before the first one): how large a fast
    /// client's flushes may be (<see cref="ChunkCopier"/>).
    /// </summary>
    public long BytesPerSecond { get; private set; }

    /// <summary>
    /// The pace of <paramref name="context"/>'s client: one per HTTP/1.x connection, whose requests come one at a time;
    /// one per request on HTTP/2 and HTTP/3, whose streams share a connection at once.
    /// </summary>
    public static ClientPace For(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) && !HttpProtocol.IsHttp10(context.Request.Protocol)
            || context.Features.Get<IConnectionItemsFeature>() is not { } connection)
        {
            return new ClientPace();
        }

        if (connection.Items.TryGetValue(typeof(ClientPace), out var existing) && existing is ClientPace pace)
        {
            return pace;
        }

        pace = new ClientPace();
        connection.Items[typeof(ClientPace)] = pace;
        return pace;
    }

    /// <summary>
    /// A copy begins at <paramref name="timestamp"/> (Stopwatch ticks). The time since the last bytes of an earlier copy
    /// (a keep-alive connection between requests) is not the client's pace: the window is moved past it.
    /// </summary>
    public void Resume(long timestamp)
    {
        if (_lastTaken == 0)
        {
            _windowStarted = timestamp;
        }
        else
        {
            _windowStarted += timestamp - _lastTaken;
        }

        _lastTaken = timestamp;
    }

    /// <summary>Counts <paramref name="bytes"/> the client took by <paramref name="timestamp"/> (Stopwatch ticks).</summary>
    public void Taken(int bytes, long timestamp)
    {
        _lastTaken = timestamp;
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

        // A window's bytes are a few MiB and its ticks at least one: the quotient stays far below long.MaxValue.
        BytesPerSecond = (long)(_windowBytes * (double)Stopwatch.Frequency / Math.Max(elapsed, 1));
        _windowStarted = timestamp;
        _windowBytes = 0;
    }
}
