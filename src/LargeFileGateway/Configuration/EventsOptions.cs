using System.ComponentModel.DataAnnotations;

namespace LargeFileGateway.Configuration;

/// <summary>The live transfer stream (<c>/events</c>) and the dashboard. Bound from <c>Gateway:Events</c>.</summary>
internal sealed class EventsOptions
{
    public const string SectionName = "Gateway:Events";

    /// <summary>
    /// Who may watch. When the key is absent: Open in Development, Off everywhere else, because the stream shows
    /// file keys and client addresses.
    /// </summary>
    [EnumDataType(typeof(EventsAccessMode), ErrorMessage = SectionName + ":Access must be Off, Open or BearerToken.")]
    public EventsAccessMode Access { get; set; } = EventsAccessMode.Off;

    /// <summary>
    /// The token for <see cref="EventsAccessMode.BearerToken"/>, sent as <c>Authorization: Bearer …</c> or, for
    /// browsers whose EventSource cannot set headers, as the <c>access_token</c> query parameter. At least 16
    /// characters.
    /// </summary>
    [PrintableAscii(ErrorMessage = SectionName + ":Token must be printable ASCII without spaces.")]
    public string? Token { get; set; }

    /// <summary>How often active transfers are sampled into progress events. 250 ms: four updates a second per
    /// transfer at most, whatever the chunk size.</summary>
    [TimeSpanRange("00:00:00.020", "00:00:10", ErrorMessage = SectionName + ":ProgressInterval must be between {1} and {2}.")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Quiet time after which a comment line is sent, so that proxies do not close an idle stream.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00", ErrorMessage = SectionName + ":HeartbeatInterval must be between {1} and {2}.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>retry:</c> sent to watchers: how long a browser waits before reconnecting.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00", ErrorMessage = SectionName + ":ReconnectDelay must be between {1} and {2}.")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Events kept for <c>Last-Event-ID</c> resume; older gaps get a snapshot instead. The ring holds at least
    /// <see cref="WatcherQueueCapacity"/> events whatever this says.
    /// </summary>
    [NumberRange(1, 1_000_000, ErrorMessage = SectionName + ":RingCapacity must be between {1} and {2}.")]
    public int RingCapacity { get; set; } = 1024;

    /// <summary>
    /// Events a watcher may be behind, and is sent at one wake, before it gets a snapshot instead (at most one per 16
    /// progress intervals, shared by every watcher behind at that wake).
    /// </summary>
    [NumberRange(1, 100_000, ErrorMessage = SectionName + ":WatcherQueueCapacity must be between {1} and {2}.")]
    public int WatcherQueueCapacity { get; set; } = 256;

    /// <summary>Finished transfers kept for the snapshot's "recent" list.</summary>
    [NumberRange(0, 10_000, ErrorMessage = SectionName + ":RecentCapacity must be between {1} and {2}.")]
    public int RecentCapacity { get; set; } = 50;
}
