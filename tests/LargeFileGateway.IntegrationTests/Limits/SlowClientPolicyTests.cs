using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Limits;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// Gateway:Limits:MinClientRate and MinClientRateGrace with curl: a reader below the minimum past the grace is cut
/// (log line, counter) and resumes with Range to a byte-exact file; a slow reader above the minimum is never cut.
/// </summary>
public sealed class SlowClientPolicyTests : IDisposable
{
    private const int Length = 32 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Part of the gateway's warning for a cut (EventId 831), as its console log shows it.</summary>
    private const string SlowClientCutMessage = "read slower than the minimum response data rate";
    private readonly TempFolder _root = new("slow");
    private readonly TempFolder _downloads = new("slow-out");
    private readonly CapturingLoggerProvider _logs = new();

    public SlowClientPolicyTests() => TestFiles.WriteRandom(_root.Combine("big.bin"), Length, seed: 14);

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task MinClientRate_ReaderBelowTheMinimumPastTheGrace_IsCutLoggedAndResumesByteExact()
    {
        await using var server = await StartAsync("--Gateway:Limits:MinClientRate=32768", "--Gateway:Limits:MinClientRateGrace=00:00:02");
        var output = _downloads.Combine("cut.bin");
        var url = new Uri(server.BaseAddress, "files/big.bin").AbsoluteUri;

        // The cut is the gateway's to see: what was already in the socket buffers still reaches curl at its slow
        // pace before it notices, so the test waits for the gateway's line and then stops curl.
        using (var slow = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4K", "-o", output, url]))
        {
            var cut = await _logs.WaitForAsync(entry => entry.EventId.Name == "SlowClientCut", Bound);
            Assert.Equal(831, cut.EventId.Id);
            Assert.True(server.Services.GetRequiredService<SlowClientCuts>().Count >= 1);
            await ExternalTool.WaitForFileSizeAsync(output, 1, Bound);
            slow.Kill();
        }

        Assert.InRange(new FileInfo(output).Length, 1, Length - 1);

        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-o", output, url], Bound);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin")), await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task MinClientRate_ReaderSlowButAboveTheMinimum_IsNeverCut()
    {
        // The gateway runs as its own process here. Inside the test host it shares a thread pool with every test that
        // runs meanwhile: when that pool is starved, a write the client has long taken is not completed while Kestrel's
        // heartbeat (a thread of its own) keeps the time, and this reader, 64 times above the minimum, was cut for the
        // test host's stall (reproduced by blocking the pool's threads for a few seconds). What is tested is Kestrel's
        // judgement of the reader, which its own process gives without another test's stalls.
        using var gateway = await GatewayProcess.StartAsync(_root.Path,
            "--Gateway:Limits:MinClientRate=32768", "--Gateway:Limits:MinClientRateGrace=00:00:05", "--Gateway:Metrics:Prometheus=true");
        var output = _downloads.Combine("slow.bin");

        // 32 MiB at 2 MiB/s: far more than the socket buffers take, so the gateway writes for several times the grace,
        // each chunk write waiting on the client but never for long (a grace of 5 s: Kestrel dates a write from its last
        // heartbeat, and a machine busy with other work delays that).
        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "-f", "--limit-rate", "2M", "-o", output, $"http://127.0.0.1:{gateway.Port}/files/big.bin"], Bound);

        Assert.True(exitCode == 0, log + gateway.Output);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin")), await TestFiles.Sha256Async(output));
        var metrics = await GatewayProcessMetrics.ScrapeUntilAsync(gateway, text => text.Sum("gateway_download_duration_seconds_count", ("http_response_status_code", "200")) >= 1);
        Assert.Equal(1, metrics.Sum("gateway_download_duration_seconds_count", ("http_response_status_code", "200")));
        Assert.Equal(0, metrics.Sum("gateway_slow_client_cuts_total"));
        Assert.DoesNotContain(SlowClientCutMessage, gateway.Output, StringComparison.Ordinal);
    }

    private Task<GatewayServer> StartAsync(params string[] arguments)
        => GatewayServer.StartAsync(_root.Path, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs), arguments);
}
