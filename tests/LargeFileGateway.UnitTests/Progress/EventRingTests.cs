using System.Net.ServerSentEvents;
using LargeFileGateway.Progress;

namespace LargeFileGateway.UnitTests.Progress;

public sealed class EventRingTests
{
    [Theory]
    [InlineData(10, 10, 0)]
    [InlineData(7, 10, 3)]
    [InlineData(6, 10, 4)]
    [InlineData(0, 4, 4)]
    public void TryGetAfter_SequenceStillCovered_ReturnsTheLaterEventsInOrder(long after, long last, int expected)
    {
        var ring = Filled(capacity: 4, last);

        var found = ring.TryGetAfter(after, last, out var missed);

        Assert.True(found);
        Assert.Equal(Enumerable.Range((int)after + 1, expected).Select(i => (long)i), missed.Select(e => e.Sequence));
    }

    [Theory]
    [InlineData(5, 10)]
    [InlineData(11, 10)]
    [InlineData(-3, 10)]
    public void TryGetAfter_SequenceOverwrittenOrFromTheFuture_ReturnsFalse(long after, long last)
    {
        var ring = Filled(capacity: 4, last);

        var found = ring.TryGetAfter(after, last, out _);

        Assert.False(found);
    }

    private static EventRing Filled(int capacity, long last)
    {
        var ring = new EventRing(capacity);
        for (var i = 1; i <= last; i++)
        {
            ring.Add(new PublishedEvent(i, new SseItem<string>("x", "progress")));
        }

        return ring;
    }
}
