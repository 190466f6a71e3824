using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// Issue 13, graceful drain behind the shipped nginx config: one of two instances is stopped during a
/// many-connection download; what it cut, the client asks for again and nginx sends to the other instance.
/// </summary>
public sealed class DrainThroughNginxTests : IAsyncLifetime
{
    private const int FileLength = 64 * 1024 * 1024;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);

    private readonly TempFolder _root = new("nginx-drain");
    private readonly TempFolder _downloads = new("nginx-drain-downloads");
    private string _sourceSha256 = null!;
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("release.iso"), FileLength, seed: 31);
        _sourceSha256 = await TestFiles.Sha256Async(_root.Combine("release.iso"));
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 2, offload: false, beforeStart: null,
            "--Gateway:Shutdown:AcceptDelay=00:00:00.500", "--Gateway:Shutdown:DrainTimeout=00:00:01");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task Aria2Download_OneInstanceDrainedMidway_MatchesSource()
    {
        var output = _downloads.Combine("release.iso");
        var stopped = _stack.Instances[0];
        var stoppedAddress = $"127.0.0.1:{stopped.Port}";
        // Throttled (64 MiB take about 4 s) so that the drain and its cut happen while every connection reads.
        using var aria2 = ExternalTool.Start("aria2c",
            ["-q", "-x8", "-s8", "-k1M", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
             "--max-overall-download-limit=16M", "--max-tries=3", "--retry-wait=1",
             "-d", _downloads.Path, "-o", "release.iso", _stack.Nginx.BaseAddress + "files/release.iso"]);
        await ExternalTool.WaitForFileSizeAsync(output, 1 << 20, TimeSpan.FromSeconds(30));

        await _stack.StopInstanceAsync(stopped);
        var exitCode = await aria2.WaitForExitAsync(ToolTimeout);

        Assert.True(exitCode == 0, aria2.Output);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(output));
        var entries = _stack.Nginx.ReadAccessLog();
        Assert.Contains(entries, e => e.UpstreamAddresses.Contains(stoppedAddress));
        Assert.Contains(entries, e => !e.UpstreamAddresses.Contains(stoppedAddress));
    }
}
