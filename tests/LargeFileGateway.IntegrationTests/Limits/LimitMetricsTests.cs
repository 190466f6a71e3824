using System.Net;
using LargeFileGateway.IntegrationTests.Access;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Operations;
using LargeFileGateway.Limits;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// Issue 12, point 7, scraped from /metrics by a real client: throttled bytes by the limit that held them, and a
/// refusal counted for every reason a limit refuses. /metrics reads process-wide meters, so these run alone.
/// </summary>
[Collection(ProcessWideMetricsGroup.Name)]
public sealed class LimitMetricsTests : IDisposable
{
    private const int Length = 2 << 20;
    private const long Rate = 4 << 20;
    private const int Chunk = 64 << 10;
    private const string ThrottledBytes = "gateway_throttled_bytes_total";
    private const string ThrottleWaits = "gateway_throttle_wait_seconds_count";
    private const string ThrottleWaitSeconds = "gateway_throttle_wait_seconds_sum";
    private const string ReasonLabel = "gateway_throttle_reason";
    private static readonly string[] Reasons = ["RatePerDownload", "LinkRate", "RatePerClient"];
    private readonly TempFolder _root = new("limit-metrics");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public LimitMetricsTests()
    {
        TestFiles.WriteRandom(_root.Combine("two.bin"), Length, seed: 21);
        Directory.CreateDirectory(_root.Combine("private"));
        TestFiles.WriteRandom(_root.Combine("private", "two.bin"), Length, seed: 22);

        // More than the socket buffers take, so that a client that reads nothing holds its download open.
        TestFiles.WriteSparse(_root.Combine("big.bin"), 64L << 20, [(0, 4096)]);
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("RatePerDownload")]
    [InlineData("LinkRate")]
    [InlineData("RatePerClient")]
    public async Task Metrics_DownloadOverItsRate_CountsTheBytesThatWaitedUnderThatReasonOnly(string reason)
    {
        await using var server = await SignedLinkTestServer.StartAsync(_root.Path, _time, null, [.. Arguments(reason), "--Gateway:Metrics:Prometheus=true"]);
        var target = reason == "LinkRate"
            ? SignedLinkTestServer.Signer.Mint("private/two.bin", _time.GetUtcNow() + TimeSpan.FromHours(1), rateBytesPerSecond: Rate).TrimStart('/')
            : "files/two.bin";
        var before = await ScrapeAsync(server);

        Assert.Equal(Length, (await server.Client.GetByteArrayAsync(target)).Length);
        var after = await ScrapeUntilAsync(server, text => Delta(before, text, "gateway_download_duration_seconds_count") >= 1);

        // A bucket starts full (two tenths of a second of its rate): what it held went out at once (all but the last
        // part of a chunk), the rest was held to the rate, the bytes after the last wait too. The throttle judges the
        // gaps between its waits on the gateway's clock, this test's, which stands still: a pause of this process
        // longer than the bucket takes to fill cannot make a held stretch read as not held (freezing it for 0.3 s in
        // every 0.4 s read 483,328 held bytes on the system clock). DownloadThrottleTests judge the gaps themselves.
        // Half is still the floor: a pause before the first wait lets more out at once (the bucket refills by real
        // time), and that first bucketful is never counted.
        var bucket = ByteRateBuckets.Options(Rate, refilledByElapsedTime: true).TokenLimit;
        var held = Delta(before, after, ThrottledBytes, (ReasonLabel, reason));
        Assert.InRange(held, (Length - bucket) / 2, Length - bucket + Chunk);
        Assert.True(Delta(before, after, ThrottleWaits, (ReasonLabel, reason)) >= 1);

        // The waits were timed on the standing clock, so this test does not depend on the machine keeping up.
        Assert.Equal(0, Delta(before, after, ThrottleWaitSeconds, (ReasonLabel, reason)));
        Assert.All(Reasons.Where(other => other != reason), other => Assert.Equal(0, Delta(before, after, ThrottledBytes, (ReasonLabel, other))));
        Assert.Equal("counter", after.Types[ThrottledBytes]);
    }

    [Fact]
    public async Task Metrics_NoRateConfigured_CountsNoThrottledBytes()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Metrics:Prometheus=true");
        var before = await ScrapeAsync(server);

        Assert.Equal(Length, (await server.Client.GetByteArrayAsync("files/two.bin")).Length);
        var after = await ScrapeUntilAsync(server, text => Delta(before, text, "gateway_download_duration_seconds_count") >= 1);

        Assert.Equal(0, Delta(before, after, ThrottledBytes));
    }

    private static async Task<int> RefusedWhileOneWatcherIsOpenAsync(GatewayServer server)
    {
        using var watching = await server.Client.GetAsync("events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, watching.StatusCode);
        return (await RawHttp.SendAsync(server.Port, "/events")).StatusCode;
    }

    [Fact]
    public async Task Metrics_EveryLimitRefusalReason_IsCountedInRefusals()
    {
        var scenarios = new Dictionary<LimitRefusalReason, (string[] Arguments, int Status, Func<GatewayServer, Task<int>> Refused)>
        {
            [LimitRefusalReason.RequestsPerClientPerMinute] = (["--Gateway:Limits:RequestsPerClientPerMinute=1"], 429, async server =>
            {
                Assert.Equal(200, (await RawHttp.SendAsync(server.Port, "/files/two.bin", method: "HEAD")).StatusCode);
                return (await RawHttp.SendAsync(server.Port, "/files/two.bin", method: "HEAD")).StatusCode;
            }),
            [LimitRefusalReason.DownloadsPerClient] = (["--Gateway:Limits:DownloadsPerClient=1"], 429, RefusedWhileOneDownloadRunsAsync),
            [LimitRefusalReason.Downloads] = (["--Gateway:Limits:Downloads=1"], 503, RefusedWhileOneDownloadRunsAsync),
            [LimitRefusalReason.WatchersPerClient] = (["--Gateway:Limits:WatchersPerClient=1", "--Gateway:Events:Access=Open"], 429, RefusedWhileOneWatcherIsOpenAsync),
            [LimitRefusalReason.Watchers] = (["--Gateway:Limits:Watchers=1", "--Gateway:Events:Access=Open"], 503, RefusedWhileOneWatcherIsOpenAsync),
        };

        // A reason added to the enum without a scenario here fails this test rather than going unchecked.
        Assert.Equal(Enum.GetValues<LimitRefusalReason>().Order(), scenarios.Keys.Order());
        foreach (var (reason, (arguments, status, refused)) in scenarios)
        {
            await using var server = await GatewayServer.StartAsync(_root.Path, [.. arguments, "--Gateway:Metrics:Prometheus=true"]);
            var before = await ScrapeAsync(server);

            Assert.Equal(status, await refused(server));
            var after = await ScrapeUntilAsync(server, text => Delta(before, text, "gateway_refusals_total") >= 1);

            Assert.True(Delta(before, after, "gateway_refusals_total", ("gateway_refusal_reason", reason.ToString())) == 1, $"{reason} was not counted once");
        }
    }

    private static string[] Arguments(string reason) => reason switch
    {
        "RatePerDownload" => [$"--Gateway:Limits:RatePerDownload={Rate}"],
        "RatePerClient" => [$"--Gateway:Limits:RatePerClient={Rate}"],
        _ => [],
    };

    // A download held open by a client that reads nothing more, and a second one from the same address meanwhile.
    private static async Task<int> RefusedWhileOneDownloadRunsAsync(GatewayServer server)
    {
        using var held = await SlowClient.StartAsync(server.Port, "/files/big.bin");
        Assert.StartsWith("HTTP/1.1 200", held.HeaderBlock, StringComparison.Ordinal);
        return (await RawHttp.SendAsync(server.Port, "/files/two.bin")).StatusCode;
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels)
        => after.Sum(name, labels) - before.Sum(name, labels);

    // The exporter caches its answer for a moment, and a download is counted when its handler ends, just after the
    // client has its last byte: scrape until the request shows (bounded), then compare.
    private static async Task<PrometheusText> ScrapeUntilAsync(GatewayServer server, Func<PrometheusText, bool> condition)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var text = await ScrapeAsync(server);
        for (var i = 0; i < 100 && !condition(text); i++)
        {
            await timer.WaitForNextTickAsync();
            text = await ScrapeAsync(server);
        }

        return text;
    }

    private static async Task<PrometheusText> ScrapeAsync(GatewayServer server)
    {
        using var response = await server.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
