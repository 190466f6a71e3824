using LargeFileGateway.Storage;

namespace LargeFileGateway.Digests;

/// <summary>
/// An optional ability of a storage provider that stores checksums with its objects (S3's <c>x-amz-checksum-sha256</c>):
/// the SHA-256 of exactly one version, without reading it. Checked with
/// <c>storage is IFullObjectChecksumSource</c>.
/// </summary>
internal interface IFullObjectChecksumSource
{
    /// <summary>
    /// The SHA-256 of the whole object, or null when storage has none for this version, or only a composite one (the
    /// checksum of part checksums an S3 multipart upload gets by default, <c>base64-N</c>, is not the file's digest).
    /// Outages throw <see cref="StorageUnavailableException"/>.
    /// </summary>
    ValueTask<byte[]?> GetFullObjectSha256Async(FileMetadata file, CancellationToken cancellationToken);
}
