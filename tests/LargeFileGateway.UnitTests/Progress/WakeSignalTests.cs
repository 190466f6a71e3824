using LargeFileGateway.Progress;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.UnitTests.Progress;

public sealed class WakeSignalTests : IDisposable
{
    // Only a guard against a hang: every wake below comes from a pulse or from fake time advanced by the test.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider _time = new();
    private readonly WakeSignal _signal;

    public WakeSignalTests() => _signal = new WakeSignal(Interval, _time);

    public void Dispose() => _signal.Dispose();

    [Fact]
    public async Task Pulse_AfterAQuietInterval_WakesAtOnce()
    {
        _time.Advance(Interval);
        var next = _signal.Next;

        _signal.Pulse();

        await next.WaitAsync(Hang);
        Assert.Equal(1, _signal.Generation);
    }

    [Fact]
    public async Task Pulse_ManyWithinOneInterval_WakesOnceAtTheEndOfTheInterval()
    {
        _time.Advance(Interval);
        _signal.Pulse();
        var next = _signal.Next;

        for (var i = 0; i < 1000; i++)
        {
            _signal.Pulse();
        }

        var afterThePulses = next.IsCompleted;
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        var justBeforeTheEnd = next.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await next.WaitAsync(Hang);

        Assert.False(afterThePulses);
        Assert.False(justBeforeTheEnd);
        Assert.Equal(2, _signal.Generation);
    }

    [Fact]
    public void Pulse_None_NeverWakes()
    {
        var next = _signal.Next;

        _time.Advance(Interval * 100);

        Assert.False(next.IsCompleted);
        Assert.Equal(0, _signal.Generation);
    }

    [Fact]
    public async Task Pulse_RightAfterStart_WaitsForTheFirstInterval()
    {
        var next = _signal.Next;

        _signal.Pulse();
        var atOnce = next.IsCompleted;
        _time.Advance(Interval);
        await next.WaitAsync(Hang);

        Assert.False(atOnce);
    }
}
