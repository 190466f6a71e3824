using Microsoft.Net.Http.Headers;

namespace LargeFileGateway.Representations;

/// <summary>
/// What one response serves (RFC 9110 §3.2): its exact length, validators, media type, the name a client saves it
/// under, and a way to read any byte range of exactly this version. Preconditions, ranges, multipart, the chunk
/// copier and offload work on this type and never ask which kind it is, so a new kind of content (a zip of a
/// folder) is one more subclass, not a branch in the request flow.
/// </summary>
/// <remarks>An instance lives for one request; disposing it releases what it holds (an open file handle).</remarks>
internal abstract class Representation : IDisposable
{
    protected Representation(string key, long length, DateTimeOffset lastModified, EntityTagHeaderValue etag, string contentType, string downloadName)
    {
        Key = key;
        Length = length;
        LastModified = lastModified;
        ETag = etag;
        ContentType = contentType;
        DownloadName = downloadName;
    }

    /// <summary>The normalized key it was asked for: what logs, metrics and live progress call it.</summary>
    public string Key { get; }

    /// <summary>The exact length in bytes, so Content-Length and every Content-Range are known before the body.</summary>
    public long Length { get; }

    /// <summary>Last modification, truncated to whole seconds as HTTP-dates are.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>A strong entity-tag that changes whenever any byte changes (RFC 9110 §8.8.3).</summary>
    public EntityTagHeaderValue ETag { get; }

    /// <summary>
    /// True when <see cref="LastModified"/> changes whenever a byte changes, so that a date in If-Range may stand for
    /// this version (a stored file). An archive's is its newest member's, which stays when an older member is
    /// deleted, renamed or added with its old time (cp -p, rsync -a): only its ETag names its bytes.
    /// </summary>
    public virtual bool LastModifiedIsValidator => true;

    public string ContentType { get; }

    /// <summary>The file name for Content-Disposition (RFC 6266).</summary>
    public string DownloadName { get; }

    /// <summary>The Last-Modified field value (an IMF-fixdate, RFC 9110 §5.6.7).</summary>
    public virtual string LastModifiedField => HeaderUtilities.FormatDate(LastModified);

    /// <summary>The Content-Disposition field value (RFC 6266) for <see cref="DownloadName"/>, inline or as an attachment.</summary>
    public virtual string ContentDispositionField(bool inline) => Http.ContentDisposition.Create(DownloadName, inline);

    /// <summary>
    /// The storage key nginx can send these very bytes from (X-Accel-Redirect), or null when only the gateway can
    /// produce them.
    /// </summary>
    public virtual string? OffloadKey => null;

    /// <summary>
    /// The key of the file these bytes really come from: another than <see cref="Key"/> when the key went through a
    /// symbolic link inside the root. Access checks it too.
    /// </summary>
    public virtual string RealKey => Key;

    /// <summary>
    /// What the content-facts store knows of exactly this version (its digests), or null: set by the request flow once
    /// the representation is found (Digests/KnownDigests), so that every kind of representation gets the same headers.
    /// </summary>
    public Digests.ContentFacts? Facts { get; set; }

    /// <summary>
    /// Opens <paramref name="length"/> bytes from absolute <paramref name="offset"/>, of this version only: a
    /// changed source throws <see cref="Storage.StorageObjectChangedException"/>, an outage
    /// <see cref="Storage.StorageUnavailableException"/>. A stream that ends early is a failure for the caller.
    /// </summary>
    public abstract ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
