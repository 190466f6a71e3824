using LargeFileGateway.Resilience;

namespace LargeFileGateway.Storage;

/// <summary>
/// The skeleton every remote provider shares: refuse keys that are not plainly servable, run each storage call
/// through the provider's pipeline, check the backend's answer before a byte of it is used, and hand the body out
/// as a <see cref="RemoteReadStream"/> held to the asked length and the per-read timeout. A provider fills in only
/// how it asks its backend and how it judges the answers.
/// </summary>
/// <typeparam name="TAnswer">The backend's answer to a ranged read (an SDK or HTTP response), disposed with the body.</typeparam>
internal abstract class RemoteStorageProvider<TAnswer> : IStorageProvider
    where TAnswer : IDisposable
{
    private readonly StoragePipeline _pipeline;
    private readonly TimeSpan _readTimeout;

    /// <param name="pipeline">Retries, breaker and attempt timeout of this provider.</param>
    /// <param name="readTimeout">Longest wait for the next bytes of a body.</param>
    protected RemoteStorageProvider(StoragePipeline pipeline, TimeSpan readTimeout)
    {
        _pipeline = pipeline;
        _readTimeout = readTimeout;
    }

    public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
    {
        if (!RemoteKey.IsServable(key))
        {
            return ValueTask.FromResult<FileMetadata?>(null);
        }

        return _pipeline.ExecuteAsync(token => LookUpAsync(key, token), cancellationToken);
    }

    public async ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length <= 0)
        {
            return Stream.Null;
        }

        var last = offset + length - 1;
        var answer = await _pipeline.ExecuteAsync(token => SendReadAsync(file, offset, last, token), cancellationToken);
        try
        {
            var body = await AcceptAsync(answer, file, offset, last, cancellationToken);
            return new RemoteReadStream(body, answer, length, _readTimeout);
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    /// <summary>Runs one more kind of storage call (a folder listing) through the same pipeline as lookups and reads.</summary>
    protected ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
        => _pipeline.ExecuteAsync(call, cancellationToken);

    /// <summary>One metadata lookup attempt for a servable key: null for "not found", never an SDK exception.</summary>
    protected abstract ValueTask<FileMetadata?> LookUpAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// One attempt at a read of bytes <paramref name="offset"/>..<paramref name="last"/> pinned to the version
    /// <paramref name="file"/> names. Throws <see cref="StorageObjectChangedException"/> when the backend says that
    /// version is gone; a transient failure is left for the pipeline to retry.
    /// </summary>
    protected abstract ValueTask<TAnswer> SendReadAsync(FileMetadata file, long offset, long last, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that <paramref name="answer"/> holds exactly the asked bytes of that version and returns its body;
    /// throws <see cref="StorageObjectChangedException"/> or <see cref="StorageUnavailableException"/> otherwise.
    /// </summary>
    protected abstract ValueTask<Stream> AcceptAsync(TAnswer answer, FileMetadata file, long offset, long last, CancellationToken cancellationToken);
}
