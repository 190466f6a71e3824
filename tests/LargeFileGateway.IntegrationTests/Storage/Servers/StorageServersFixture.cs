namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>One s3rver process and one origin Kestrel for all storage tests; each test class takes its own bucket or folder.</summary>
public sealed class StorageServersFixture : IAsyncLifetime
{
    public S3rverProcess S3 { get; private set; } = null!;

    public OriginServer Origin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var s3 = S3rverProcess.StartAsync();
        var origin = OriginServer.StartAsync();
        S3 = await s3;
        Origin = await origin;
    }

    public async Task DisposeAsync()
    {
        await S3.DisposeAsync();
        await Origin.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StorageServersGroup : ICollectionFixture<StorageServersFixture>
{
    public const string Name = "Storage servers";
}
