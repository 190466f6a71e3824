using System.Diagnostics;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.UnitTests.Streaming;

public sealed class ClientPaceTests
{
    private const int Chunk = 64 * 1024;
    private const int SlowChunk = 16 * 1024;

    [Theory]
    [InlineData(64 * 1024, 10, false)]   // 6.5 MB/s
    [InlineData(64 * 1024, 100, true)]   // 655 KB/s
    [InlineData(16 * 1024, 10, false)]   // 1.6 MB/s
    [InlineData(16 * 1024, 20, true)]    // 819 KB/s
    [InlineData(16 * 1024, 0, false)]
    public void IsSlower_ComparesWithOneMebibytePerSecond(int bytes, int milliseconds, bool slower)
    {
        Assert.Equal(slower, ClientPace.IsSlower(bytes, Ticks(milliseconds)));
    }

    [Fact]
    public void Flushed_FastChunks_StaysFast()
    {
        var pace = default(ClientPace);

        for (var i = 0; i < 100; i++)
        {
            pace.Flushed(Chunk, Ticks(1));
        }

        Assert.False(pace.IsSlow);
    }

    [Fact]
    public void Flushed_OneChunkTakenSlowly_IsSlowAtOnce()
    {
        var pace = default(ClientPace);

        pace.Flushed(Chunk, Ticks(1));
        pace.Flushed(Chunk, Ticks(3000));

        Assert.True(pace.IsSlow);
    }

    [Fact]
    public void Flushed_SlowClientsSocketTakesABurst_StaysSlow()
    {
        var pace = default(ClientPace);
        pace.Flushed(Chunk, Ticks(3000));

        // After the long wait the socket had room: ten chunks went at once, then the next wait was as long again.
        for (var i = 0; i < 10; i++)
        {
            pace.Flushed(SlowChunk, Ticks(0));
        }

        var afterBurst = pace.IsSlow;
        pace.Flushed(SlowChunk, Ticks(3000));

        Assert.True(afterBurst);
        Assert.True(pace.IsSlow);
    }

    [Fact]
    public void Flushed_SlowClientFasterOverAWindow_IsFastAgain()
    {
        var pace = default(ClientPace);
        pace.Flushed(Chunk, Ticks(3000));

        // 2 MiB/s for a little more than the window: 16 KiB every 8 ms, 130 times.
        for (var i = 0; i < 130; i++)
        {
            pace.Flushed(SlowChunk, Ticks(8));
        }

        Assert.False(pace.IsSlow);
    }

    private static long Ticks(int milliseconds) => milliseconds * Stopwatch.Frequency / 1000;
}
