using LargeFileGateway.Storage;

namespace LargeFileGateway.Representations;

/// <summary>
/// One object of the storage provider, as it was when the request looked it up: reads go through the file the
/// provider opened for this request when it could (<see cref="IOpenableStorage"/>), else through the provider,
/// pinned to the version <see cref="Metadata"/> names.
/// </summary>
internal sealed class StoredFile : Representation
{
    private readonly IStorageProvider? _provider;
    private readonly OpenedFile? _opened;
    private readonly bool _offloadable;

    private StoredFile(FileMetadata metadata, string contentType, bool offloadable, IStorageProvider? provider, OpenedFile? opened)
        : base(metadata.Key, metadata.Length, metadata.LastModified, metadata.ETag, contentType, NameOf(metadata.Key))
    {
        Metadata = metadata;
        _offloadable = offloadable;
        _provider = provider;
        _opened = opened;
    }

    public FileMetadata Metadata { get; }

    public override string RealKey => _opened?.RealKey ?? Key;

    public override string? OffloadKey => !_offloadable ? null : _opened is null ? Key : _opened.RealKey;

    /// <summary>A file held open for the request; disposing the representation closes it.</summary>
    public static StoredFile Opened(OpenedFile opened, string contentType, bool offloadable)
        => new(opened.Metadata, contentType, offloadable, provider: null, opened);

    /// <summary>A file read through its provider, one pinned read per range.</summary>
    public static StoredFile ThroughProvider(FileMetadata metadata, IStorageProvider provider, string contentType, bool offloadable)
        => new(metadata, contentType, offloadable, provider, opened: null);

    /// <summary>Formatted once per looked-up version (<see cref="FileMetadata.Formatted"/>), not per request.</summary>
    public override string LastModifiedField => Metadata.Formatted.LastModified ??= base.LastModifiedField;

    /// <summary>
    /// Formatted once per looked-up version: the name comes from the key, which the version's metadata holds, so the
    /// value can be kept with it.
    /// </summary>
    public override string ContentDispositionField(bool inline)
        => inline
            ? Metadata.Formatted.Inline ??= base.ContentDispositionField(inline: true)
            : Metadata.Formatted.Attachment ??= base.ContentDispositionField(inline: false);

    public override ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
        => _opened is not null
            ? _opened.OpenReadAsync(offset, length, cancellationToken)
            : _provider!.OpenReadAsync(Metadata, offset, length, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _opened?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static string NameOf(string key) => key[(key.LastIndexOf('/') + 1)..];
}
