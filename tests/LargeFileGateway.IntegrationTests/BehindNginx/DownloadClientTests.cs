using System.Globalization;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.BehindNginx;

/// <summary>
/// The download clients people use, through the repository's nginx config, to two gateway instances. Every body
/// is compared with the source by SHA-256. Runs once per offload mode (see the two derived classes).
/// </summary>
public abstract class DownloadClientTests : IAsyncLifetime
{
    private const int FileLength = 24 * 1024 * 1024;
    private const string FileKey = "media/big file.bin";
    private const string RequestPath = "/files/media/big%20file.bin";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);

    private readonly TempFolder _root = new("nginx-root");
    private readonly TempFolder _downloads = new("nginx-downloads");
    private byte[] _source = null!;
    private string _sourceSha256 = null!;
    private GatewaysBehindNginx _stack = null!;

    /// <summary>Whether the gateways hand the bytes to nginx (X-Accel-Redirect) or stream them themselves.</summary>
    protected abstract bool Offload { get; }

    private string Url => _stack.Nginx.BaseAddress + RequestPath.TrimStart('/');

    public async Task InitializeAsync()
    {
        _source = TestFiles.WriteRandom(_root.Combine("media", "big file.bin"), FileLength, seed: 11);
        _sourceSha256 = await TestFiles.Sha256Async(_root.Combine(FileKey));
        _stack = await GatewaysBehindNginx.StartAsync(_root.Path, instances: 2, Offload);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task Curl_WholeFile_MatchesSource()
    {
        var output = _downloads.Combine("curl.bin");

        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "--fail", "-o", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(output));
        var entry = Assert.Single(await RequestsForFileAsync(1));
        Assert.Equal(200, entry.Status);
        AssertSentByExpectedSide(entry);
    }

    [Fact]
    public async Task CurlResume_AfterKill_MatchesSource()
    {
        var output = _downloads.Combine("curl-resumed.bin");
        using (var slow = ExternalTool.Start("curl", ["-sS", "--fail", "--limit-rate", "1M", "-o", output, Url]))
        {
            await WaitForPartialFileAsync(slow, output);
            slow.Kill();
        }

        var partialLength = new FileInfo(output).Length;

        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "--fail", "-C", "-", "-o", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.InRange(partialLength, 1, FileLength - 1);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(output));
        var resumed = Assert.Single(await RequestsForFileAsync(2), e => e.Range is not null);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"bytes={partialLength}-"), resumed.Range);
        Assert.Equal(206, resumed.Status);
        Assert.Equal(FileLength - partialLength, resumed.BodyBytesSent);
        AssertSentByExpectedSide(resumed);
    }

    [Fact]
    public async Task WgetResume_AfterKill_MatchesSource()
    {
        var output = _downloads.Combine("wget-resumed.bin");
        using (var slow = ExternalTool.Start("wget", ["-q", "--limit-rate=1m", "-O", output, Url]))
        {
            await WaitForPartialFileAsync(slow, output);
            slow.Kill();
        }

        var partialLength = new FileInfo(output).Length;

        var (exitCode, log) = await ExternalTool.RunAsync("wget", ["-q", "-c", "-O", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.InRange(partialLength, 1, FileLength - 1);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(output));
        var resumed = Assert.Single(await RequestsForFileAsync(2), e => e.Range is not null);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"bytes={partialLength}-"), resumed.Range);
        Assert.Equal(206, resumed.Status);
        AssertSentByExpectedSide(resumed);
    }

    [Fact]
    public async Task Aria2_SixteenConnections_MatchesSource()
    {
        var (exitCode, log) = await ExternalTool.RunAsync("aria2c",
            ["-q", "-x16", "-s16", "-k1M", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
             ThrottleSoEveryConnectionStarts("--max-overall-download-limit="), "-d", _downloads.Path, "-o", "aria2.bin", Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(_downloads.Combine("aria2.bin")));
        // aria2's first connection asks for the whole file and keeps reading its first piece; the others ask for ranges.
        var requests = await RequestsForFileAsync(16);
        var connections = requests.Where(e => e.BodyBytesSent > 0).Select(e => e.Connection).Distinct().Count();
        Assert.True(connections >= 16, $"aria2 received bytes on {connections} connections");
        Assert.True(requests.Count(e => e.Status == 206) >= 15);
        Assert.Equal(2, requests.SelectMany(e => e.UpstreamAddresses).Distinct().Count());

        // aria2 closes the connections it no longer needs once the pieces are all taken: such a request (499, nothing
        // sent, no upstream asked yet) was answered by nobody, so it tells nothing of who sends the bytes.
        Assert.All(requests.Where(e => !(e.Status == 499 && e.BodyBytesSent == 0 && e.UpstreamAddresses.Count == 0)), AssertSentByExpectedSide);
    }

    [Fact]
    public async Task Axel_EightConnections_MatchesSource()
    {
        var output = _downloads.Combine("axel.bin");

        var (exitCode, log) = await ExternalTool.RunAsync("axel", ["-q", "-n", "8", "-o", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.Equal(_sourceSha256, await TestFiles.Sha256Async(output));
        var ranged = (await RequestsForFileAsync(8)).Where(e => e.Status == 206 && e.BodyBytesSent > 0).ToList();
        var connections = ranged.Select(e => e.Connection).Distinct().Count();
        Assert.True(connections >= 8, $"axel received ranges on {connections} connections");
        Assert.All(ranged, AssertSentByExpectedSide);
    }

    [Fact]
    public async Task CurlRange_MiddleSlice_ReturnsExactBytes()
    {
        var output = _downloads.Combine("range.bin");
        var headers = _downloads.Combine("range.headers");

        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "--fail", "-r", "1000000-2999999", "-D", headers, "-o", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine(FileKey), 1_000_000, 2_000_000), await TestFiles.Sha256Async(output));
        Assert.Equal(2_000_000, new FileInfo(output).Length);
        var head = await File.ReadAllTextAsync(headers);
        Assert.StartsWith("HTTP/1.1 206", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: bytes 1000000-2999999/{FileLength}\r\n", head, StringComparison.OrdinalIgnoreCase);
        AssertSentByExpectedSide(Assert.Single(await RequestsForFileAsync(1)));
    }

    [Fact]
    public async Task CurlMultiRange_TwoSlices_ReturnsEachPart()
    {
        var output = _downloads.Combine("multi.bin");
        var headers = _downloads.Combine("multi.headers");

        var (exitCode, log) = await ExternalTool.RunAsync("curl", ["-sS", "--fail", "-r", "0-99,5000000-5000999", "-D", headers, "-o", output, Url], ToolTimeout);

        Assert.True(exitCode == 0, log);
        var head = await File.ReadAllTextAsync(headers);
        Assert.StartsWith("HTTP/1.1 206", head, StringComparison.Ordinal);
        var boundary = head.Split("\r\n").Single(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)).Split("boundary=")[1].Trim();
        var parts = await MultipartReader.ReadPartsAsync(await File.ReadAllBytesAsync(output), boundary);
        Assert.Collection(parts,
            first =>
            {
                Assert.Equal($"bytes 0-99/{FileLength}", first.ContentRange);
                Assert.Equal(_source[..100], first.Body);
            },
            second =>
            {
                Assert.Equal($"bytes 5000000-5000999/{FileLength}", second.ContentRange);
                Assert.Equal(_source[5_000_000..5_001_000], second.Body);
            });

        // A multipart answer is always framed by the gateway, in both modes.
        Assert.Null(Assert.Single(await RequestsForFileAsync(1)).AccelRedirect);
    }

    /// <summary>
    /// A whole-download speed limit (bytes per second) of about 1.5 s for the file: unthrottled on loopback, the
    /// file is done in milliseconds, before aria2 has opened all its connections. (axel is not throttled: with
    /// --max-speed it hangs after the last byte.)
    /// </summary>
    private static string ThrottleSoEveryConnectionStarts(string option)
        => option + (16 * 1024 * 1024).ToString(CultureInfo.InvariantCulture);

    private void AssertSentByExpectedSide(NginxAccessLogEntry entry)
    {
        if (Offload)
        {
            Assert.Equal(NginxServer.InternalPrefix + "media/big%20file.bin", entry.AccelRedirect);
        }
        else
        {
            Assert.Null(entry.AccelRedirect);
        }
    }

    private Task<IReadOnlyList<NginxAccessLogEntry>> RequestsForFileAsync(int atLeast)
        => _stack.Nginx.WaitForAccessLogAsync(entries => entries.Count(e => e.Uri == RequestPath) >= atLeast)
            .ContinueWith(t => (IReadOnlyList<NginxAccessLogEntry>)[.. t.Result.Where(e => e.Uri == RequestPath)], TaskScheduler.Default);

    /// <summary>Waits until a throttled client has written part of the file (and not all of it).</summary>
    private static async Task WaitForPartialFileAsync(ExternalTool client, string path)
    {
        const long enough = 256 * 1024;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!File.Exists(path) || new FileInfo(path).Length < enough)
        {
            Assert.False(client.HasExited, $"the client ended before it had {enough} bytes:\n{client.Output}");
            Assert.False(timeout.IsCancellationRequested, $"no {enough} bytes within 30 s");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
