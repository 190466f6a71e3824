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

    [Fact]
    public void TryCopyAfter_SlotOverwrittenSinceTheLastSequenceWasRead_ReturnsFalse()
    {
        var ring = Filled(capacity: 4, last: 10);
        var before = new List<PublishedEvent>();
        var found = ring.TryCopyAfter(6, 10, before);

        ring.Add(new PublishedEvent(11, new SseItem<string>("x", "progress")));
        var foundAfterOverwrite = ring.TryCopyAfter(6, 10, []);

        Assert.True(found);
        Assert.Equal([7L, 8L, 9L, 10L], before.Select(e => e.Sequence));
        Assert.False(foundAfterOverwrite);
    }

    [Fact]
    public void Add_Event_IsEncodedOnceIntoTheSharedFrame()
    {
        var published = new PublishedEvent(3, new SseItem<string>("{\"a\":1}", "started") { EventId = "e-3" });

        var text = System.Text.Encoding.UTF8.GetString(published.Frame.Span);

        Assert.Equal("event: started\nid: e-3\ndata: {\"a\":1}\n\n", text);
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
