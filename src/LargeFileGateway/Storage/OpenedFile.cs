namespace LargeFileGateway.Storage;

/// <summary>
/// One file opened for the length of a request (see <see cref="IOpenableStorage"/>): its metadata, and reads of that
/// very version. It is itself an <see cref="IStorageProvider"/> for that one file, so the chunk copier reads from it
/// (and resumes from it) exactly as from any provider.
/// </summary>
internal abstract class OpenedFile : IStorageProvider, IDisposable
{
    protected OpenedFile(FileMetadata metadata)
    {
        Metadata = metadata;
    }

    public FileMetadata Metadata { get; }

    public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
        => ValueTask.FromResult(key == Metadata.Key ? Metadata : null);

    public abstract ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
