using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Storage;

/// <summary>
/// What the gateway knows about one stored object before it sends a byte: its key, exact length, last
/// modification time (truncated to whole seconds, as HTTP-dates are) and a strong validator that changes
/// whenever the bytes change.
/// </summary>
/// <param name="Key">The normalized storage key (forward slashes, no leading slash).</param>
/// <param name="Length">The exact length in bytes.</param>
/// <param name="LastModified">Last modification time, truncated to whole seconds (UTC).</param>
/// <param name="ETag">A strong entity-tag; it changes whenever the content changes.</param>
public sealed record FileMetadata(string Key, long Length, DateTimeOffset LastModified, EntityTagHeaderValue ETag)
{
    /// <summary>Truncates a timestamp to the one-second resolution of an HTTP-date (RFC 9110 §5.6.7).</summary>
    public static DateTimeOffset ToHttpDatePrecision(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
