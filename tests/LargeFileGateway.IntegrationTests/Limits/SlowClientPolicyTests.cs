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
        await using var server = await StartAsync("--Gateway:Limits:MinClientRate=32768", "--Gateway:Limits:MinClientRateGrace=00:00:05");
        var output = _downloads.Combine("slow.bin");

        // 16 MiB at 2 MiB/s: a few seconds, past the grace, each chunk write waiting on the client but never for long
        // (a grace of 5 s: Kestrel dates a write from its last heartbeat, and a machine busy with other work delays that).
        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "-f", "--limit-rate", "2M", "-r", "0-16777215", "-o", output, new Uri(server.BaseAddress, "files/big.bin").AbsoluteUri], Bound);

        Assert.True(exitCode == 0, log);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("big.bin"), 0, 16 << 20), await TestFiles.Sha256Async(output));
        Assert.Equal(0, server.Services.GetRequiredService<SlowClientCuts>().Count);
        Assert.DoesNotContain(_logs.Entries, entry => entry.EventId.Name == "SlowClientCut");
    }

    private Task<GatewayServer> StartAsync(params string[] arguments)
        => GatewayServer.StartAsync(_root.Path, app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs), arguments);
}
