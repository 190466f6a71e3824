using System.Net.ServerSentEvents;

namespace LargeFileGateway.Progress;

/// <summary>
/// An event ready for the wire, shared by every watcher and by the ring: <see cref="Sequence"/> orders events
/// within this process, and the SSE <c>id</c> adds the process epoch so a reconnect to a restarted gateway gets a
/// snapshot instead of a wrong resume. <see cref="Frame"/> is the event's text/event-stream block, encoded once
/// when it is published: a thousand watchers write the same bytes, not a thousand encodings of them.
/// </summary>
internal sealed class PublishedEvent
{
    /// <summary>Tells the stream to write a heartbeat comment; never stored or sent as an event.</summary>
    public static readonly PublishedEvent Heartbeat = new(-1, default, ServerSentEventWriter.EncodeComment("heartbeat"));

    public PublishedEvent(long sequence, SseItem<string> item)
        : this(sequence, item, ServerSentEventWriter.Encode(item))
    {
    }

    private PublishedEvent(long sequence, SseItem<string> item, byte[] frame)
    {
        Sequence = sequence;
        Item = item;
        Frame = frame;
    }

    public long Sequence { get; }

    public SseItem<string> Item { get; }

    /// <summary>The UTF-8 bytes a watcher writes for this event (for <see cref="Heartbeat"/>, the comment).</summary>
    public ReadOnlyMemory<byte> Frame { get; }
}
