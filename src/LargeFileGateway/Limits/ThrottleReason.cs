namespace LargeFileGateway.Limits;

/// <summary>
/// Which bucket held a download back: the metrics tag of throttled bytes and the dashboard's "limited by". The
/// names are those of the keys an operator sets (a signed link's <c>rate=</c> is named apart, since no key sets it).
/// </summary>
internal enum ThrottleReason
{
    /// <summary><c>Gateway:Limits:RatePerDownload</c>.</summary>
    RatePerDownload,

    /// <summary>A signed link's <c>rate=</c>, lower than <c>RatePerDownload</c> or without it.</summary>
    LinkRate,

    /// <summary><c>Gateway:Limits:RatePerClient</c>, shared by every download of the client.</summary>
    RatePerClient,
}
