namespace LargeFileGateway.Digests;

/// <summary>
/// One version of one stored file: its storage key and its strong validator (the ETag, which names the S3 version id
/// when there is one). A fact stored under it can never describe other bytes, because other bytes have another
/// validator.
/// </summary>
internal readonly record struct FileVersion(string Key, string Validator);
