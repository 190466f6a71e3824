using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// A 2 GiB download through nginx, with a pause in the middle as a stalled reader would make: nginx must not
/// spool the file to its temp folder (proxy_buffering off, proxy_max_temp_file_size 0) and the gateway, run as
/// its own process so that its resident set size means something, must stay flat while the bytes pass.
/// </summary>
public sealed class MemoryThroughNginxTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long FileLength = 2L * 1024 * 1024 * 1024;
    private const long SampleEveryBytes = 32L * 1024 * 1024;
    private const long WarmUpBytes = 256L * 1024 * 1024;
    private const long StallAtBytes = 512L * 1024 * 1024;

    /// <summary>
    /// How much the gateway's RSS may grow after warm-up. The file is 2 GiB; per download the gateway holds about
    /// two 64 KiB chunks, and the rest of this allowance is GC and runtime noise.
    /// </summary>
    private const long AllowedGrowthBytes = 48L * 1024 * 1024;

    private static readonly (long Offset, int Length)[] Islands = [(0, 4096), (FileLength / 2 - 100, 5000), (FileLength - 3000, 3000)];

    private readonly TempFolder _root = new("nginx-memory");
    private GatewayProcess _gateway = null!;
    private NginxServer _nginx = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteSparse(_root.Combine("disk.img"), FileLength, Islands);
        // Without the gateway's "X-Accel-Buffering: no", which nginx would honour: the config alone must keep the
        // download out of nginx's temp folder.
        _gateway = await GatewayProcess.StartAsync(_root.Path, "--Gateway:Download:DisableProxyBuffering=false");
        _nginx = await NginxServer.StartAsync(_root.Path, [_gateway.Port]);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        _gateway.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Download2GiB_StalledReaderThroughNginx_TempFolderStaysEmptyAndGatewayRssStaysFlat()
    {
        var islands = await ReadIslandsAsync();
        var tempFiles = new HashSet<string>(StringComparer.Ordinal);
        long? baselineRss = null;
        long peakRss = 0;
        long total = 0;
        var islandBytesMatched = new long[Islands.Length];

        using var response = await _nginx.Client.GetAsync("files/disk.img", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024 * 1024];
        var nextSample = SampleEveryBytes;
        var stalled = false;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            MatchIslandBytes(buffer.AsSpan(0, read), total, islands, islandBytesMatched);
            total += read;
            if (total < nextSample)
            {
                continue;
            }

            nextSample += SampleEveryBytes;
            var rss = _gateway.ResidentSetBytes ?? throw new InvalidOperationException("the gateway process is gone");
            baselineRss ??= total >= WarmUpBytes ? rss : null;
            peakRss = Math.Max(peakRss, rss);
            tempFiles.UnionWith(_nginx.ProxyTempFiles());
            if (!stalled && total >= StallAtBytes)
            {
                // A reader that stops for a while: a buffering proxy would now fill its temp file from the gateway.
                stalled = true;
                await Task.Delay(TimeSpan.FromSeconds(1));
                tempFiles.UnionWith(_nginx.ProxyTempFiles());
            }
        }

        output.WriteLine($"gateway RSS after {WarmUpBytes >> 20} MiB: {baselineRss >> 20} MiB, peak: {peakRss >> 20} MiB; nginx RSS at the end: {ProcessMemory.ResidentSetBytes(_nginx.ProcessId) >> 20} MiB");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileLength, total);
        Assert.Equal(Islands.Select(i => (long)i.Length), islandBytesMatched);
        Assert.Empty(tempFiles);
        Assert.DoesNotContain("temporary file", await File.ReadAllTextAsync(_nginx.ErrorLogPath), StringComparison.Ordinal);
        Assert.NotNull(baselineRss);
        Assert.True(peakRss - baselineRss.Value < AllowedGrowthBytes,
            $"gateway RSS grew from {baselineRss / (1024 * 1024)} MiB to {peakRss / (1024 * 1024)} MiB during a 2 GiB download");
    }

    private async Task<byte[][]> ReadIslandsAsync()
    {
        await using var file = File.OpenRead(_root.Combine("disk.img"));
        var result = new byte[Islands.Length][];
        for (var i = 0; i < Islands.Length; i++)
        {
            result[i] = new byte[Islands[i].Length];
            file.Position = Islands[i].Offset;
            await file.ReadExactlyAsync(result[i]);
        }

        return result;
    }

    /// <summary>Adds to <paramref name="matched"/> the island bytes in this piece of the body (at absolute <paramref name="offset"/>) that are right.</summary>
    private static void MatchIslandBytes(ReadOnlySpan<byte> data, long offset, byte[][] islands, long[] matched)
    {
        for (var i = 0; i < Islands.Length; i++)
        {
            var first = Math.Max(offset, Islands[i].Offset);
            var end = Math.Min(offset + data.Length, Islands[i].Offset + Islands[i].Length);
            if (first < end
                && data.Slice((int)(first - offset), (int)(end - first)).SequenceEqual(islands[i].AsSpan((int)(first - Islands[i].Offset), (int)(end - first))))
            {
                matched[i] += end - first;
            }
        }
    }
}
