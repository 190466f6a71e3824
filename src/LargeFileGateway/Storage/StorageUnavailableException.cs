namespace LargeFileGateway.Storage;

/// <summary>The storage backend could not answer (outage, refused connection, throttling or timeout).</summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the backend did not answer in time (the gateway answers 504 rather than 503).</summary>
    public bool IsTimeout { get; init; }

    /// <summary>
    /// True when this instance, not the storage, ran out of something (file descriptors, local I/O workers): another
    /// instance behind the same proxy can serve the request, so the gateway answers with the distinct "instance
    /// overloaded" response a proxy may retry elsewhere, not with the storage outage a proxy must pass through.
    /// </summary>
    public bool IsInstanceOverloaded { get; init; }

    /// <summary>How long a client should wait before trying again, when the backend or a circuit breaker says so.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
