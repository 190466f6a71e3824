namespace LargeFileGateway.Configuration;

/// <summary>The storage providers the gateway can be configured with (<c>Gateway:Storage:Provider</c>).</summary>
internal enum StorageProviderKind
{
    Local,
}
