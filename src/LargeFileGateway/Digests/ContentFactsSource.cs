namespace LargeFileGateway.Digests;

/// <summary>Where the facts of a version came from: the log and the store say it, the headers do not.</summary>
internal enum ContentFactsSource
{
    /// <summary>The gateway read every byte of the version and hashed it.</summary>
    Computed,

    /// <summary>A publisher's <c>name.sha256</c> next to the file, trusted as it is.</summary>
    Sidecar,

    /// <summary>The full-object <c>x-amz-checksum-sha256</c> S3 stored with the object.</summary>
    StorageChecksum,
}
