using System.Net;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>One of two gateway instances stops; nginx sends new downloads to the other (proxy_next_upstream).</summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("nginx-failover");
    private byte[] _source = null!;
    private GatewaysBehindNginx _stack = null!;

    public async Task InitializeAsync()
    {
        _source = TestFiles.WriteRandom(_root.Combine("release.tar"), 2 * 1024 * 1024, seed: 21);
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 2, offload: false);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Download_OneInstanceStopped_NewDownloadsKeepSucceeding()
    {
        for (var i = 0; i < 4; i++)
        {
            await AssertDownloadAsync();
        }

        var stopped = _stack.Instances[0];
        var stoppedAddress = $"127.0.0.1:{stopped.Port}";
        var before = _stack.Nginx.ReadAccessLog().Count;

        await _stack.StopInstanceAsync(stopped);
        for (var i = 0; i < 20; i++)
        {
            await AssertDownloadAsync();
        }

        var all = await _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= before + 20);
        Assert.Contains(all.Take(before), e => e.UpstreamAddresses.SequenceEqual([stoppedAddress]));
        var after = all.Skip(before).ToList();
        Assert.Equal(20, after.Count);
        Assert.All(after, e => Assert.Equal(200, e.Status));

        // At least one download was first sent to the stopped instance and retried on the live one.
        Assert.Contains(after, e => e.UpstreamAddresses.Count == 2 && e.UpstreamAddresses[0] == stoppedAddress);
    }

    private async Task AssertDownloadAsync()
    {
        using var response = await _stack.Nginx.Client.GetAsync("files/release.tar");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SHA256.HashData(_source), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
    }
}
