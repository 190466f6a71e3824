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

    /// <remarks>
    /// nginx meters <c>limit_rate</c> in whole seconds and lets the first second's worth out at once (the write filter
    /// allows <c>rate x (elapsed seconds + 1)</c>), so its bytes arrive as one step per second. What it promises, and
    /// what is checked: never more than that cumulative allowance at any sample, and the steady rate after the first
    /// second within 10 % (measured from step to step over 5 MiB, so the phase of the steps moves it by about 2 %).
    /// A 1 s window of the gateway's own throttle (DownloadRateTests) is a bound nginx does not make.
    /// </remarks>
    [Fact]
    public async Task Get_OffloadedWithRatePerDownload_NginxSendsAtThatRate()
    {
        const long rate = 1 * MiB;
        const long size = 6 * MiB;
        TestFiles.WriteRandom(_root.Combine("six.bin"), (int)size);
        await using var stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 1, offload: true, beforeStart: null, $"--Gateway:Limits:RatePerDownload={rate}");
        var url = stack.Nginx.BaseAddress + "files/six.bin";
        await WarmUpAsync(stack.Nginx.Client, url);

        var samples = (await RunAsync(_out.Path, [url], TimeSpan.FromSeconds(30)))[0];

        Assert.Equal(size, samples[^1].Bytes);
        var entry = (await stack.Nginx.WaitForAccessLogAsync(entries => entries.Count >= 2))[^1];
        Assert.Equal(NginxServer.InternalPrefix + "six.bin", entry.AccelRedirect);
        foreach (var sample in samples)
        {
            // The clock started before curl did: a sample's time is at least the transfer's, plus a sampling margin.
            Assert.True(sample.Bytes <= rate * (sample.At.TotalSeconds + 1.1), $"{sample.Bytes} bytes at {sample.At}; {Describe(samples)}");
        }

        // A step is seen at the first sample after it. When the sampler (this process) was not scheduled for a while
        // before that sample, the step came somewhere in the gap: nginx's clock did not stop. At either end of the
        // measured interval the rate is then known only within bounds: the interval is longest with the first step at
        // the start of its gap (the lowest rate it can have been, which must be within 10 % above) and shortest with
        // the last step at the start of its gap (the highest, which must be within 10 % below). A run at load 5 on
        // 2 cores sampled nothing from 4.7 s to 5.7 s and read 0.87 MiB/s; one beside the other rate tests sampled
        // nothing from 0.7 s to 1.7 s and read 1.17 MiB/s, steps on time otherwise.
        var first = samples.FindIndex(s => s.Bytes > rate);
        var lowest = AverageRate(AtGapStart(samples, first), fromBytes: rate, excludeStalls: false);
        var highest = AverageRate(AtGapStart(samples, samples.Count - 1), fromBytes: rate, excludeStalls: false);
        Assert.True(lowest <= rate * 1.10 && highest >= rate * 0.90, $"between {lowest / MiB:0.00} and {highest / MiB:0.00} MiB/s; {Describe(samples)}");
    }

    /// <summary>The samples with sample <paramref name="index"/> moved to just after the one before it, when a sampler gap precedes it.</summary>
    private static List<RateSample> AtGapStart(List<RateSample> samples, int index)
        => index >= 1 && samples[index].At - samples[index - 1].At > TimeSpan.FromMilliseconds(400)
            ? [.. samples.Select((s, i) => i == index ? s with { At = samples[index - 1].At + TimeSpan.FromMilliseconds(1) } : s)]
            : samples;

    public void Dispose()
    {
        _root.Dispose();
        _out.Dispose();
    }
}
