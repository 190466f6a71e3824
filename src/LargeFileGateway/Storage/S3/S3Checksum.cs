namespace LargeFileGateway.Storage.S3;

/// <summary>Reads the SHA-256 S3 keeps with an object (<c>x-amz-checksum-sha256</c>) as a digest of the whole file, or not at all.</summary>
internal static class S3Checksum
{
    private const int Sha256Bytes = 32;

    /// <summary>
    /// The digest of the whole object, or null. A multipart upload's default checksum is COMPOSITE, the checksum of
    /// the parts' checksums, written <c>base64-N</c> (N parts): not the SHA-256 of the file, so it is refused, by its
    /// type and by its form (servers that send no type). An object uploaded in one part has a full-object checksum.
    /// </summary>
    public static byte[]? FullObjectSha256(string? checksum, string? checksumType)
    {
        if (string.IsNullOrEmpty(checksum) || checksum.Contains('-', StringComparison.Ordinal)
            || string.Equals(checksumType, "COMPOSITE", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var bytes = new byte[Sha256Bytes];
        return Convert.TryFromBase64String(checksum, bytes, out var written) && written == Sha256Bytes ? bytes : null;
    }
}
