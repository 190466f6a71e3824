namespace LargeFileGateway.Configuration;

/// <summary>The storage providers the gateway can be configured with (<c>Gateway:Storage:Provider</c>).</summary>
internal enum StorageProviderKind
{
    /// <summary>A folder on this machine (<c>Gateway:Storage:Root</c>).</summary>
    Local,

    /// <summary>An S3-compatible bucket (<c>Gateway:Storage:S3</c>).</summary>
    S3,

    /// <summary>Any HTTP server that supports Range (<c>Gateway:Storage:HttpOrigin</c>).</summary>
    HttpOrigin,
}
