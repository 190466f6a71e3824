using System.Net;
using System.Net.Sockets;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>
/// Issue 13, graceful drain: a real gateway process stopped with SIGTERM while a download runs, as systemd or a
/// container runtime stops it.
/// </summary>
public sealed class GracefulDrainTests : IDisposable
{
    private const long FileLength = 200L * 1024 * 1024;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _root = new("drain");
    private readonly TempFolder _downloads = new("drain-downloads");
    private readonly string _fileSha256;

    public GracefulDrainTests()
    {
        // Sparse, with random islands at the start, across the middle and at the end, so byte-exact means something.
        TestFiles.WriteSparse(_root.Combine("big.bin"), FileLength, [(0, 1 << 20), (FileLength / 2 - 4096, 64 * 1024), (FileLength - 300_000, 300_000)], seed: 13);
        _fileSha256 = TestFiles.Sha256Async(_root.Combine("big.bin")).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task Sigterm_DownloadInFlight_CompletesByteExactRefusesNewConnectionsAndExitsZero()
    {
        using var gateway = await GatewayProcess.StartAsync(_root.Path,
            "--Gateway:Shutdown:AcceptDelay=00:00:01", "--Gateway:Shutdown:DrainTimeout=00:01:00", "--Logging:LogLevel:LargeFileGateway.Hosting=Information");
        using var download = await SlowClient.StartAsync(gateway.Port, "/files/big.bin");
        Assert.StartsWith("HTTP/1.1 200", download.HeaderBlock, StringComparison.Ordinal);
        await download.ReadAsync(1 << 20);

        await gateway.TerminateAsync();
        var refused = await Eventually.TrueAsync(() => !Accepts(gateway.Port), TimeSpan.FromSeconds(30));
        var runningWhenRefused = !gateway.HasExited;
        await download.ReadToEndAsync();
        var exitCode = await gateway.WaitForExitAsync(ExitTimeout);

        Assert.True(refused, "the drained instance kept accepting new connections");
        Assert.True(runningWhenRefused, "the process exited before the download ended");
        Assert.Equal(FileLength, download.BodyBytesRead);
        Assert.Equal(_fileSha256, download.BodySha256());
        Assert.True(exitCode == 0, gateway.Output);
        Assert.Contains("Drain finished: 1 requests completed while draining [/files/big.bin], 0 cut", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_DrainTimeoutPassed_CutsDownloadAndCurlResumesOnSecondInstance()
    {
        using var draining = await GatewayProcess.StartAsync(_root.Path,
            "--Gateway:Shutdown:AcceptDelay=00:00:00", "--Gateway:Shutdown:DrainTimeout=00:00:01", "--Logging:LogLevel:LargeFileGateway.Hosting=Information");
        using var other = await GatewayProcess.StartAsync(_root.Path);
        var output = _downloads.Combine("big.bin");
        // Throttled so that the download is still running when the drain timeout cuts it (200 MiB take 20 s).
        using var curl = ExternalTool.Start("curl", ["-sS", "--limit-rate", "10M", "-o", output, $"http://127.0.0.1:{draining.Port}/files/big.bin"]);
        await ExternalTool.WaitForFileSizeAsync(output, 1 << 20, TimeSpan.FromSeconds(30));

        await draining.TerminateAsync();
        var cutExitCode = await curl.WaitForExitAsync(ExitTimeout);
        var exitCode = await draining.WaitForExitAsync(ExitTimeout);
        var cutLength = new FileInfo(output).Length;
        var (resumeExitCode, resumeLog) = await ExternalTool.RunAsync("curl",
            ["-sS", "-f", "-C", "-", "-o", output, $"http://127.0.0.1:{other.Port}/files/big.bin"], ExitTimeout);

        Assert.NotEqual(0, cutExitCode);
        Assert.InRange(cutLength, 1 << 20, FileLength - 1);
        Assert.True(exitCode == 0, draining.Output);
        Assert.Contains("Cut /files/big.bin", draining.Output, StringComparison.Ordinal);
        Assert.Contains("0 requests completed while draining [], 1 cut [/files/big.bin]", draining.Output, StringComparison.Ordinal);
        Assert.True(resumeExitCode == 0, resumeLog);
        Assert.Equal(_fileSha256, await TestFiles.Sha256Async(output));
    }

    // A connection attempt that the kernel refuses (nothing listens any more) or that succeeds.
    private static bool Accepts(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
