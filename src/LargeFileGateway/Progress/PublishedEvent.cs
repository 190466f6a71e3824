using System.Net.ServerSentEvents;

namespace LargeFileGateway.Progress;

/// <summary>
/// An event ready for the wire, shared by every watcher and by the ring: <see cref="Sequence"/> orders events
/// within this process, and the SSE <c>id</c> adds the process epoch so a reconnect to a restarted gateway gets a
/// snapshot instead of a wrong resume.
/// </summary>
internal sealed class PublishedEvent(long sequence, SseItem<string> item)
{
    /// <summary>Tells the stream to write a heartbeat comment; never stored or sent as an event.</summary>
    public static readonly PublishedEvent Heartbeat = new(-1, default);

    public long Sequence { get; } = sequence;

    public SseItem<string> Item { get; } = item;
}
