namespace LargeFileGateway.Configuration;

/// <summary>The S3-compatible bucket the gateway serves. Bound from <c>Gateway:Storage:S3</c>.</summary>
internal sealed class S3StorageOptions
{
    public const string SectionName = "Gateway:Storage:S3";

    /// <summary>
    /// Endpoint of a non-AWS service (MinIO, Ceph, R2, ...), for example <c>http://127.0.0.1:9000</c>. Empty: AWS
    /// itself, found from <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Region used for signing and, without <see cref="ServiceUrl"/>, to find the AWS endpoint.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket that holds the files. Required.</summary>
    public string? Bucket { get; set; }

    /// <summary>
    /// Key prefix inside the bucket: <c>/files/a/b.iso</c> is served from <c>{Prefix}/a/b.iso</c>. Empty serves the
    /// whole bucket.
    /// </summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>
    /// Path-style addressing (<c>{ServiceUrl}/{Bucket}/{key}</c>) instead of virtual hosts: what most non-AWS
    /// services and loopback endpoints need.
    /// </summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Access key; with <see cref="SecretAccessKey"/>. Both empty: the standard AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Secret key; with <see cref="AccessKeyId"/>. Prefer the credential chain or a secret store to a file.</summary>
    public string? SecretAccessKey { get; set; }
}
