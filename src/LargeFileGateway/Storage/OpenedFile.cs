namespace LargeFileGateway.Storage;

/// <summary>
/// One file opened for the length of a request (see <see cref="IOpenableStorage"/>): its metadata, and reads of that
/// very version at any offset, as many as the request needs (the ranges of a multipart answer, a resume).
/// </summary>
internal abstract class OpenedFile : IDisposable
{
    protected OpenedFile(FileMetadata metadata)
    {
        Metadata = metadata;
    }

    public FileMetadata Metadata { get; }

    /// <summary>
    /// The key of the file's real location (after the links the provider followed and checked), for a server that
    /// opens it again by name (nginx, X-Accel-Redirect); null when that is not a path under a root.
    /// </summary>
    public virtual string? RealKey => null;

    /// <summary>Reads <paramref name="length"/> bytes from absolute <paramref name="offset"/> of the opened version.</summary>
    public abstract ValueTask<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
