using LargeFileGateway.Storage;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Counts every call that reaches the storage provider, so a test can prove that a refused request cost no storage
/// call. Wraps the real provider: the bytes still come from it.
/// </summary>
public sealed class CountingStorage
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    internal IStorageProvider Wrap(IStorageProvider inner) => new Provider(inner, this);

    private sealed class Provider(IStorageProvider inner, CountingStorage counter) : IStorageProvider
    {
        public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref counter._calls);
            return inner.GetMetadataAsync(key, cancellationToken);
        }

        public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref counter._calls);
            return inner.OpenReadAsync(file, offset, length, cancellationToken);
        }
    }
}
