using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Operations;

/// <summary>
/// Tests that read process-wide meters: a MeterProvider listens to every meter of its name in the process, so these
/// run alone, when no other test's gateway serves downloads.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsGroup
{
    public const string Name = "Process-wide metrics";
}

/// <summary>/metrics scraped by a real HTTP client: off by default, its own network rule, the right counts.</summary>
[Collection(ProcessWideMetricsGroup.Name)]
public sealed class MetricsTests() : GatewayTest("metrics")
{
    private const int FileLength = 300_000;

    protected override string[] GatewayArguments => ["--Gateway:Metrics:Prometheus=true"];

    protected override Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("m.bin"), FileLength);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Metrics_DefaultConfiguration_Answers404()
    {
        await using var defaults = await GatewayServer.StartAsync(Root.Path);

        using var response = await defaults.Client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_ClientOutsideAllowedNetworks_Answers404()
    {
        await using var gateway = await GatewayServer.StartAsync(Root.Path, "--Gateway:Metrics:Prometheus=true", "--Gateway:Metrics:AllowedNetworks:0=10.0.0.0/8");

        using var response = await gateway.Client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterDownloads_CountersMoveByTheBytesSentAndTextParses()
    {
        var before = await ScrapeAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(FileLength, (await Server.Client.GetByteArrayAsync("files/m.bin")).Length);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "files/m.bin"))
        {
            request.Headers.Range = new RangeHeaderValue(1000, 1099);
            using var partial = await Server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
        }

        using (var missing = await Server.Client.GetAsync("files/none.bin"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // The download's line is counted when its handler ends, just after the client has the last byte: scrape
        // until the last one shows (bounded), then compare every counter.
        var after = await ScrapeUntilAsync(text => Delta(before, text, "gateway_download_duration_seconds_count") >= 5);

        Assert.Equal(3.0 * FileLength, Delta(before, after, "gateway_download_bytes_sent_bytes_total", ("http_response_status_code", "200"), ("gateway_download_outcome", "completed"), ("gateway_storage_provider", "local")));
        Assert.Equal(100, Delta(before, after, "gateway_download_bytes_sent_bytes_total", ("http_response_status_code", "206"), ("gateway_range_kind", "Single")));
        Assert.Equal(0, Delta(before, after, "gateway_download_bytes_sent_bytes_total", ("http_response_status_code", "404")));
        Assert.Equal(1, Delta(before, after, "gateway_download_duration_seconds_count", ("http_response_status_code", "404")));
        Assert.Equal(4, Delta(before, after, "gateway_download_time_to_first_byte_seconds_count", ("gateway_storage_provider", "local")));
        Assert.True(Delta(before, after, "gateway_storage_read_duration_seconds_count") >= 4);
        Assert.Equal(0, after.Sum("gateway_download_active"));
        Assert.Equal("counter", after.Types["gateway_download_bytes_sent_bytes_total"]);
        Assert.Equal("histogram", after.Types["gateway_download_time_to_first_byte_seconds"]);

        // The framework's own meters: HTTP server duration, Kestrel connections, the runtime.
        Assert.True(Delta(before, after, "http_server_request_duration_seconds_count") >= 5);
        Assert.True(after.Has("kestrel_active_connections"));
        Assert.Contains(after.Samples, sample => sample.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_FastClientStallsMidFlush_BudgetGaugeShowsItsShareUntilItsConnectionEnds()
    {
        using (var file = new FileStream(Root.Combine("stall.bin"), FileMode.Create))
        {
            file.SetLength(64 * 1024 * 1024); // sparse: only the pace matters here
        }

        var idle = await ScrapeAsync();
        Assert.Equal(0, idle.Sum("gateway_download_flush_budget_used_bytes"));
        Assert.Equal(64.0 * 1024 * 1024, idle.Sum("gateway_download_flush_budget_limit_bytes"));
        Assert.Equal("gauge", idle.Types["gateway_download_flush_budget_used_bytes"]);

        PrometheusText stalled;
        using (var client = new System.Net.Sockets.TcpClient { ReceiveBufferSize = 256 * 1024 })
        {
            await client.ConnectAsync(IPAddress.Loopback, Server.Port);
            var stream = client.GetStream();
            await stream.WriteAsync("GET /files/stall.bin HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

            // Fast for 24 MiB (the pace is judged over 8 MiB windows), then not at all: the flush under way when the
            // socket buffers fill waits on this client with its share (FastClientFlushTests has the budget's side).
            var buffer = new byte[256 * 1024];
            var total = 0L;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (total < 24 * 1024 * 1024)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                Assert.NotEqual(0, read);
                total += read;
            }

            stalled = await ScrapeUntilAsync(text => text.Sum("gateway_download_flush_budget_used_bytes") > 0);
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0); // RST, like a killed client
        }

        var share = stalled.Sum("gateway_download_flush_budget_used_bytes");
        Assert.True(share is > 64 * 1024 and <= 1024 * 1024, $"the stalled download holds {share} bytes of the budget: more than a chunk, at most one gathered flush");
        var after = await ScrapeUntilAsync(text => text.Sum("gateway_download_flush_budget_used_bytes") == 0);
        Assert.Equal(0, after.Sum("gateway_download_flush_budget_used_bytes"));
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels)
        => after.Sum(name, labels) - before.Sum(name, labels);

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Server.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> condition)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var text = await ScrapeAsync();
        for (var i = 0; i < 100 && !condition(text); i++)
        {
            await timer.WaitForNextTickAsync();
            text = await ScrapeAsync();
        }

        return text;
    }
}
