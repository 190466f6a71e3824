namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// One s3rver process and one origin Kestrel for all storage tests, and one Ceph RGW started on first use; each test
/// class takes its own bucket or folder.
/// </summary>
public sealed class StorageServersFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _rgwStart = new(1, 1);
    private RgwProcess? _rgw;

    public S3rverProcess S3 { get; private set; } = null!;

    public OriginServer Origin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var s3 = S3rverProcess.StartAsync();
        var origin = OriginServer.StartAsync();
        S3 = await s3;
        Origin = await origin;
    }

    /// <summary>The Ceph RGW, started by the first test class that needs it (about 2 s once the packages are installed).</summary>
    public async Task<RgwProcess> GetRgwAsync()
    {
        await _rgwStart.WaitAsync();
        try
        {
            return _rgw ??= await RgwProcess.StartAsync();
        }
        finally
        {
            _rgwStart.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await S3.DisposeAsync();
        await Origin.DisposeAsync();
        if (_rgw is not null)
        {
            await _rgw.DisposeAsync();
        }

        _rgwStart.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class StorageServersGroup : ICollectionFixture<StorageServersFixture>
{
    public const string Name = "Storage servers";
}
