using System.Diagnostics;
using LargeFileGateway.Streaming;

namespace LargeFileGateway.UnitTests.Streaming;

public sealed class ClientPaceTests
{
    private const int Chunk = 64 * 1024;
    private const int SlowChunk = 16 * 1024;
    private const long Start = 1_000_000;

    [Fact]
    public void NewDownload_IsSlow()
    {
        var pace = default(ClientPace);
        pace.Start(Start);

        Assert.False(pace.IsFast);
    }

    [Fact]
    public void Taken_WindowOfBytesWithinHalfASecond_IsFast()
    {
        var pace = default(ClientPace);
        pace.Start(Start);

        // 8 MiB in 16 KiB chunks, one every 0.9 ms: 400 ms in all (20 MiB/s).
        var fastAfter = -1;
        for (var i = 0; i < 512; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.9 * (i + 1)));
            if (pace.IsFast && fastAfter < 0)
            {
                fastAfter = i + 1;
            }
        }

        Assert.Equal(512, fastAfter);
    }

    [Fact]
    public void Taken_SocketBuffersTakeABurstThenNothing_StaysSlow()
    {
        var pace = default(ClientPace);
        pace.Start(Start);

        // A slow client's socket buffers take 4 MiB at once; then one chunk every 800 ms (20 KiB/s).
        for (var i = 0; i < 256; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.01 * i));
        }

        for (var i = 1; i <= 20; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(800.0 * i));
            Assert.False(pace.IsFast);
        }
    }

    [Fact]
    public void Taken_EightMebibytesTakingLongerThanTheWindow_StaysSlow()
    {
        var pace = default(ClientPace);
        pace.Start(Start);

        // 10 MiB/s: the window ends at 500 ms with 5 MiB, and so does every later one.
        for (var i = 1; i <= 1280; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(1.5625 * i));
            Assert.False(pace.IsFast);
        }
    }

    [Fact]
    public void Taken_FastClientFallsBehind_IsSlowAgainWithinAWindow()
    {
        var pace = default(ClientPace);
        pace.Start(Start);
        var now = Start;
        for (var i = 0; i < 256; i++)
        {
            now += Ticks(0.05);
            pace.Taken(Chunk, now);
        }

        Assert.True(pace.IsFast);

        // Now one chunk per 100 ms (640 KiB/s): slow once the window's half second has passed.
        var slowAfterMs = 0.0;
        for (var i = 1; i <= 20 && pace.IsFast; i++)
        {
            now += Ticks(100);
            slowAfterMs += 100;
            pace.Taken(Chunk, now);
        }

        Assert.False(pace.IsFast);
        Assert.InRange(slowAfterMs, 500, 600);
    }

    [Fact]
    public void Taken_SlowClientSpeedsUp_IsFastAfterOneFastWindow()
    {
        var pace = default(ClientPace);
        pace.Start(Start);
        var now = Start;
        for (var i = 0; i < 10; i++)
        {
            now += Ticks(800);
            pace.Taken(SlowChunk, now);
        }

        Assert.False(pace.IsFast);
        for (var i = 0; i < 512; i++)
        {
            now += Ticks(0.5);
            pace.Taken(SlowChunk, now);
        }

        Assert.True(pace.IsFast);
    }

    private static long Ticks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);
}
