using LargeFileGateway.IntegrationTests.Infrastructure;
using static LargeFileGateway.IntegrationTests.Limits.SampledDownloads;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// In offload mode real nginx sends the bytes with sendfile, at the rate the gateway handed it in
/// <c>X-Accel-Limit-Rate</c>: measured by real curl through nginx.
/// </summary>
public sealed class OffloadRateThroughNginxTests : IDisposable
{
    private readonly TempFolder _root = new("limits-nginx");
    private readonly TempFolder _out = new("limits-nginx-out");

    [Fact]
    public async Task Get_OffloadedWithRatePerDownload_NginxSendsAtThatRate()
    {
        const long rate = 1 * MiB;
        TestFiles.WriteRandom(_root.Combine("three.bin"), (int)(3 * MiB));
        await using var stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: true, beforeStart: null, $"--Gateway:Limits:RatePerDownload={rate}");
        var url = stack.Nginx.BaseAddress + "files/three.bin";
        await WarmUpAsync(stack.Nginx.Client, url);

        var samples = (await RunAsync(_out.Path, [url], TimeSpan.FromSeconds(30)))[0];

        Assert.Equal(3 * MiB, samples[^1].Bytes);
        var entry = (await stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 2))[^1];
        Assert.Equal(NginxServer.InternalPrefix + "three.bin", entry.AccelRedirect);
        var average = AverageRate(samples);
        Assert.True(Math.Abs(average - rate) <= rate * 0.10, $"average {average / MiB:0.00} MiB/s; {Describe(samples)}");
        var most = MostBytesInOneSecond(samples);
        Assert.True(most <= rate * 1.25, $"{most / (double)MiB:0.00} MiB in one second; {Describe(samples)}");
    }

    public void Dispose()
    {
        _root.Dispose();
        _out.Dispose();
    }
}
