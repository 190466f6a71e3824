using System.Globalization;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Limits;

/// <summary>
/// Issue 12, point 4: Gateway:Limits:IdleWriteTimeout with curl, on HTTP/1.1 and on HTTP/2 (cleartext, prior
/// knowledge), where Kestrel has no per-request minimum rate. A curl that stops (SIGSTOP: it takes nothing at all) is
/// cut after the timeout (log line, counter with its reason) and resumes with <c>curl -C -</c> to a byte-exact file;
/// a curl that keeps reading slowly is never cut.
/// </summary>
public sealed class IdleWriteTimeoutTests : IDisposable
{
    // Larger than what loopback socket buffers take while the client is stopped, so that a write has to wait.
    private const int Length = 64 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>Part of the gateway's warning for a cut (EventId 870), as its console log shows it.</summary>
    private const string IdleWriteCutMessage = "with the client taking nothing";
    private readonly TempFolder _root = new("idle-write");
    private readonly TempFolder _downloads = new("idle-write-out");
    private readonly CapturingLoggerProvider _logs = new();

    public IdleWriteTimeoutTests() => TestFiles.WriteRandom(_root.Combine("big.bin"), Length, seed: 15);

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/2")]
    public async Task IdleWriteTimeout_ReaderThatStopsTakingBytes_IsCutLoggedCountedAndResumesByteExact(string protocol)
    {
        await using var server = await StartAsync(protocol, "--Gateway:Limits:IdleWriteTimeout=00:00:02");
        using var cuts = new GatewayCounter(server, "gateway.slow_client.cuts", "gateway.slow_client.reason");
        var output = _downloads.Combine("cut.bin");
        var url = new Uri(server.BaseAddress, "files/big.bin").AbsoluteUri;

        // curl reads slowly at first, so that the file is far from done when it stops; then it takes nothing at all.
        using (var curl = ExternalTool.Start("curl", [.. ProtocolArguments(protocol), "-sS", "--limit-rate", "1M", "-o", output, url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 1, Bound);
            await SignalAsync(curl, "-STOP");
            var cut = await _logs.WaitForAsync(entry => entry.EventId.Name == "IdleWriteCut", Bound);
            Assert.Equal(870, cut.EventId.Id);
            Assert.Equal(protocol, cut.Values["Protocol"]);
            Assert.True(await Eventually.TrueAsync(() => cuts["IdleWrite"] == 1, Bound), "the cut was not counted");
            curl.Kill();
        }

        Assert.InRange(new FileInfo(output).Length, 1, Length - 1);

        var resumed = await ExternalTool.RunAsync("curl", [.. ProtocolArguments(protocol), "-sS", "-f", "-C", "-", "-o", output, url], Bound);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin")), await TestFiles.Sha256Async(output));
        Assert.Equal(1, cuts["IdleWrite"]);
        Assert.Equal(0, cuts["MinClientRate"]);
    }

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/2")]
    public async Task IdleWriteTimeout_ReaderSlowButTakingBytes_IsNeverCut(string protocol)
    {
        // Its own process, as SlowClientPolicyTests' never-cut test: a write that this reader has taken is not left
        // uncompleted by a thread pool that other tests of the host starve (the deadline's timer would still fire).
        using var gateway = await GatewayProcess.StartAsync(_root.Path,
            [.. ProtocolServerArguments(protocol), "--Gateway:Limits:IdleWriteTimeout=00:00:10", "--Gateway:Metrics:Prometheus=true"]);
        var output = _downloads.Combine("slow.bin");

        // 64 MiB at 4 MiB/s: far more than the socket buffers take, so the gateway writes for longer than the timeout,
        // every write waiting on the client for a part of it, never all of it. A part can be seconds: TCP opens a slow
        // reader's window in steps (a reader at 2 MiB/s left one write waiting over 3 s on loopback), so the timeout
        // leaves this faster reader's writes a wide margin, as the README asks of production settings.
        var (exitCode, log) = await ExternalTool.RunAsync("curl",
            [.. ProtocolArguments(protocol), "-sS", "-f", "--limit-rate", "4M", "-o", output, $"http://127.0.0.1:{gateway.Port}/files/big.bin"], Bound);

        Assert.True(exitCode == 0, log + gateway.Output);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin")), await TestFiles.Sha256Async(output));
        var metrics = await GatewayProcessMetrics.ScrapeUntilAsync(gateway, text => text.Sum("gateway_download_duration_seconds_count", ("http_response_status_code", "200")) >= 1,
            http2: protocol == "HTTP/2");
        Assert.Equal(1, metrics.Sum("gateway_download_duration_seconds_count", ("http_response_status_code", "200")));
        Assert.Equal(0, metrics.Sum("gateway_slow_client_cuts_total", ("gateway_slow_client_reason", "IdleWrite")));
        Assert.DoesNotContain(IdleWriteCutMessage, gateway.Output, StringComparison.Ordinal);
    }

    private static string[] ProtocolArguments(string protocol) => protocol == "HTTP/2" ? ["--http2-prior-knowledge"] : ["--http1.1"];

    // HTTP/2 without TLS needs an endpoint that speaks only HTTP/2 (there is no ALPN to choose with).
    private static string[] ProtocolServerArguments(string protocol) => protocol == "HTTP/2" ? ["--Kestrel:EndpointDefaults:Protocols=Http2"] : [];

    // Stops or continues curl by its own pid (kill(1), not a signal to anything else).
    private static async Task SignalAsync(ExternalTool tool, string signal)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("kill", [signal, tool.ProcessId.ToString(CultureInfo.InvariantCulture)], Bound);
        Assert.True(exitCode == 0, output);
    }

    private Task<GatewayServer> StartAsync(string protocol, params string[] arguments)
        => GatewayServer.StartAsync(_root.Path, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs), [.. arguments, .. ProtocolServerArguments(protocol)]);
}
