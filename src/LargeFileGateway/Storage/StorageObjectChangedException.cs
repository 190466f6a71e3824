namespace LargeFileGateway.Storage;

/// <summary>
/// The object no longer matches the version the response was started for (its validator or length changed,
/// or it became shorter while being read). Bytes of two versions must never be mixed in one response.
/// </summary>
public sealed class StorageObjectChangedException : Exception
{
    public StorageObjectChangedException()
    {
    }

    public StorageObjectChangedException(string message)
        : base(message)
    {
    }

    public StorageObjectChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
