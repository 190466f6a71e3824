using System.Diagnostics;
using LargeFileGateway.Streaming;
using Microsoft.AspNetCore.Connections.Features;

namespace LargeFileGateway.UnitTests.Streaming;

public sealed class ClientPaceTests
{
    private const int Chunk = 64 * 1024;
    private const int SlowChunk = 8 * 1024;
    private const long Start = 1_000_000;
    private static readonly double WindowMs = ClientPace.Window.TotalMilliseconds;
    private static readonly int ChunksPerWindow = (int)(ClientPace.WindowBytes / SlowChunk);

    [Fact]
    public void NewClient_IsSlow()
    {
        var pace = Started();

        Assert.False(pace.IsFast);
    }

    [Fact]
    public void Taken_WindowOfBytesWithinTheWindow_IsFastAtItsLastChunk()
    {
        var pace = Started();

        // The window's bytes in 0.9 of its time.
        var fastAfter = -1;
        for (var i = 0; i < ChunksPerWindow; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.9 * WindowMs * (i + 1) / ChunksPerWindow));
            if (pace.IsFast && fastAfter < 0)
            {
                fastAfter = i + 1;
            }
        }

        Assert.Equal(ChunksPerWindow, fastAfter);
    }

    [Fact]
    public void Taken_SocketBuffersTakeABurstThenNothing_StaysSlow()
    {
        var pace = Started();

        // A slow client's socket buffers take 4 MiB at once; then one chunk every 400 ms (20 KiB/s), for a minute.
        for (var i = 0; i < 4 * 1024 * 1024 / SlowChunk; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.01 * i));
        }

        for (var i = 1; i <= 150; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(400.0 * i));
            Assert.False(pace.IsFast);
        }
    }

    [Fact]
    public void Taken_SlowerThanTheWindowAllows_StaysSlow()
    {
        var pace = Started();

        // Half the window's rate: every window ends with half its bytes.
        for (var i = 1; i <= 4 * ChunksPerWindow; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(2 * WindowMs * i / ChunksPerWindow));
            Assert.False(pace.IsFast);
        }
    }

    [Fact]
    public void Taken_FastClientFallsBehind_IsSlowAgainWithinAWindow()
    {
        var pace = Started();
        var now = Start;
        for (var i = 0; i < ClientPace.WindowBytes / Chunk; i++)
        {
            now += Ticks(0.05);
            pace.Taken(Chunk, now);
        }

        Assert.True(pace.IsFast);

        // Now one chunk per 100 ms (640 KiB/s): slow once the window's time has passed.
        var slowAfterMs = 0.0;
        for (var i = 1; i <= 100 && pace.IsFast; i++)
        {
            now += Ticks(100);
            slowAfterMs += 100;
            pace.Taken(Chunk, now);
        }

        Assert.False(pace.IsFast);
        Assert.InRange(slowAfterMs, WindowMs, WindowMs + 100);
    }

    [Fact]
    public void Resume_TimeBetweenCopiesIsNotCounted()
    {
        var pace = Started();
        var now = Start;

        // Half the window's bytes, fast; ten seconds with nothing to send (keep-alive between requests); the other half.
        for (var i = 0; i < ChunksPerWindow / 2; i++)
        {
            now += Ticks(0.1);
            pace.Taken(SlowChunk, now);
        }

        now += Ticks(10_000);
        pace.Resume(now);
        for (var i = 0; i < ChunksPerWindow / 2; i++)
        {
            now += Ticks(0.1);
            pace.Taken(SlowChunk, now);
        }

        Assert.True(pace.IsFast);
    }

    [Theory]
    [InlineData("HTTP/1.1", true)]
    [InlineData("HTTP/1.0", true)]
    [InlineData("HTTP/2", false)]
    [InlineData("HTTP/3", false)]
    public void For_SharedByTheRequestsOfAnHttp1ConnectionOnly(string protocol, bool shared)
    {
        var connection = new ConnectionItems();

        var first = ClientPace.For(Request(protocol, connection));
        var second = ClientPace.For(Request(protocol, connection));

        Assert.Equal(shared, ReferenceEquals(first, second));
    }

    [Fact]
    public void BytesPerSecond_IsThePaceOfTheLastJudgedWindow()
    {
        var pace = Started();
        Assert.Equal(0, pace.BytesPerSecond);

        // A window's bytes in a quarter of its time (8 MiB/s), then in half of it (4 MiB/s).
        for (var i = 1; i <= ChunksPerWindow; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.25 * WindowMs * i / ChunksPerWindow));
        }

        var first = pace.BytesPerSecond;
        for (var i = 1; i <= ChunksPerWindow; i++)
        {
            pace.Taken(SlowChunk, Start + Ticks(0.25 * WindowMs) + Ticks(0.5 * WindowMs * i / ChunksPerWindow));
        }

        var expectedFirst = ClientPace.WindowBytes / (0.25 * ClientPace.Window.TotalSeconds);
        Assert.InRange(first, expectedFirst * 0.99, expectedFirst * 1.01);
        Assert.InRange(pace.BytesPerSecond, expectedFirst / 2 * 0.99, expectedFirst / 2 * 1.01);
        Assert.True(pace.IsFast);
    }

    private static ClientPace Started()
    {
        var pace = new ClientPace();
        pace.Resume(Start);
        return pace;
    }

    private static DefaultHttpContext Request(string protocol, IConnectionItemsFeature connection)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = protocol;
        context.Features.Set(connection);
        return context;
    }

    private static long Ticks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    private sealed class ConnectionItems : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    }
}
