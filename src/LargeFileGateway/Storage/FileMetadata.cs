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
    /// <summary>A copy (<c>with</c>) describes another version: it starts with no formatted fields of its own.</summary>
    private FileMetadata(FileMetadata original)
    {
        Key = original.Key;
        Length = original.Length;
        LastModified = original.LastModified;
        ETag = original.ETag;
        Formatted = new();
    }

    /// <summary>
    /// Response header values of this very version, formatted by the first response that needs them. They are kept
    /// here because this instance is what the open-file cache and the metadata cache hand to every request for the
    /// version, so a random range of a file served a moment ago formats none of them again.
    /// </summary>
    internal FormattedFields Formatted { get; } = new();

    /// <summary>Truncates a timestamp to the one-second resolution of an HTTP-date (RFC 9110 §5.6.7).</summary>
    public static DateTimeOffset ToHttpDatePrecision(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Equal when the four facts are: what has been formatted so far takes no part.</summary>
    public bool Equals(FileMetadata? other)
        => other is not null && Key == other.Key && Length == other.Length && LastModified.Equals(other.LastModified)
           && EqualityComparer<EntityTagHeaderValue>.Default.Equals(ETag, other.ETag);

    public override int GetHashCode() => HashCode.Combine(Key, Length, LastModified, ETag);
}

/// <summary>
/// Header values formatted from one <see cref="FileMetadata"/>, each set by the first request that needs it. Two
/// requests racing to set one compute the same string, so either write may stand.
/// </summary>
internal sealed class FormattedFields
{
    public string? LastModified { get; set; }

    public string? Attachment { get; set; }

    public string? Inline { get; set; }
}
