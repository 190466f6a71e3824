namespace LargeFileGateway.Configuration;

/// <summary>The live transfer stream (<c>/events</c>) and the dashboard. Bound from <c>Gateway:Events</c>.</summary>
internal sealed class EventsOptions
{
    public const string SectionName = "Gateway:Events";

    /// <summary>
    /// Who may watch. When the key is absent: Open in Development, Off everywhere else, because the stream shows
    /// file keys and client addresses.
    /// </summary>
    public EventsAccessMode Access { get; set; } = EventsAccessMode.Off;

    /// <summary>
    /// The token for <see cref="EventsAccessMode.BearerToken"/>, sent as <c>Authorization: Bearer …</c> or, for
    /// browsers whose EventSource cannot set headers, as the <c>access_token</c> query parameter. At least 16
    /// characters.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>How often active transfers are sampled into progress events. 250 ms: four updates a second per
    /// transfer at most, whatever the chunk size.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Quiet time after which a comment line is sent, so that proxies do not close an idle stream.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>retry:</c> sent to watchers: how long a browser waits before reconnecting.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Events kept for <c>Last-Event-ID</c> resume; older gaps get a snapshot instead.</summary>
    public int RingCapacity { get; set; } = 1024;

    /// <summary>Events queued per watcher before it is considered behind and is given a snapshot instead.</summary>
    public int WatcherQueueCapacity { get; set; } = 256;

    /// <summary>Finished transfers kept for the snapshot's "recent" list.</summary>
    public int RecentCapacity { get; set; } = 50;
}
