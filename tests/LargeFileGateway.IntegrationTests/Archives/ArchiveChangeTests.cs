using System.Net;
using System.Net.Http.Headers;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Issue 15: a member that changes while its archive is downloaded aborts the connection (never a complete 200 with
/// a wrong CRC), and If-Range with the old ETag then gets the new archive whole.
/// </summary>
public sealed class ArchiveChangeTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFolder _root = new("archive-change");
    private readonly TempFolder _downloads = new("archive-change-out");

    public void Dispose()
    {
        _root.Dispose();
        _downloads.Dispose();
    }

    [Fact]
    public async Task MemberReplacedMidDownload_CurlSeesAFailedShortTransfer_NextDownloadIsAValidZipOfTheNewContent()
    {
        // The gateway paces itself (4 MiB/s), so it cannot run ahead of curl by the socket buffers (several MiB on
        // loopback): it reaches the last member about 4 s after the start, long after the replacement below, even
        // when this process is not scheduled for a while.
        TestFiles.WriteRandom(_root.Combine("box", "a-first.bin"), 16 << 20, seed: 1);
        TestFiles.WriteRandom(_root.Combine("box", "z-last.bin"), 1 << 20, seed: 2);
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true", "--Gateway:Limits:RatePerDownload=4194304");
        var url = new Uri(server.BaseAddress, "archives/box.zip").AbsoluteUri;
        var output = _downloads.Combine("cut.zip");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "archives/box.zip"));
        var announced = head.Content.Headers.ContentLength!.Value;

        int exitCode;
        string said;
        using (var curl = ExternalTool.Start("curl", ["-sS", "-o", output, url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 1 << 20, Bound);
            Replace(_root.Combine("box", "z-last.bin"), 1 << 20, seed: 3);
            exitCode = await curl.WaitForExitAsync(Bound);
            said = curl.Output;
        }

        // curl 18 ("transfer closed with outstanding read data remaining") or 56 (connection reset): a failed transfer.
        Assert.True(exitCode is 18 or 56, $"curl exited {exitCode}: {said}");
        Assert.InRange(new FileInfo(output).Length, 1 << 20, announced - 1);

        var next = _downloads.Combine("next.zip");
        await ZipTools.DownloadAsync(url, next);
        await ZipTools.AssertAllAcceptAsync(next);
        var members = await ZipTools.MembersAsync(next);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("box", "z-last.bin")), members["z-last.bin"].Sha256);
    }

    [Fact]
    public async Task IfRangeWithTheOldETagAfterAMemberChanged_200WithTheWholeNewArchive()
    {
        TestFiles.WriteRandom(_root.Combine("box", "a.bin"), 300_000, seed: 4);
        TestFiles.WriteRandom(_root.Combine("box", "b.bin"), 300_000, seed: 5);
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        using var before = await server.Client.GetAsync("archives/box.zip");
        var oldETag = before.Headers.ETag!;
        Replace(_root.Combine("box", "b.bin"), 400_000, seed: 6);
        using var request = new HttpRequestMessage(HttpMethod.Get, "archives/box.zip");
        request.Headers.Range = new RangeHeaderValue(100_000, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(oldETag);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(oldETag, response.Headers.ETag);
        var archive = _downloads.Combine("new.zip");
        await File.WriteAllBytesAsync(archive, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(response.Content.Headers.ContentLength, new FileInfo(archive).Length);
        await ZipTools.AssertAllAcceptAsync(archive);
        Assert.Equal(400_000, (await ZipTools.MembersAsync(archive))["b.bin"].Size);
    }

    [Fact]
    public async Task IfRangeWithTheCurrentETag_206()
    {
        TestFiles.WriteRandom(_root.Combine("box", "a.bin"), 300_000, seed: 7);
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        var full = await server.Client.GetByteArrayAsync("archives/box.zip");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "archives/box.zip"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "archives/box.zip");
        request.Headers.Range = new RangeHeaderValue(100_000, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(head.Headers.ETag!);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(full[100_000..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfRangeWithTheOldLastModifiedAfterAnOlderMemberWasDeleted_200WithTheWholeNewArchive()
    {
        // The newest member stays, so the archive's Last-Modified (the newest member's) does not move, but its bytes do:
        // a date is no validator of an archive, and a range of the new archive spliced onto the old one is a broken zip.
        TestFiles.WriteRandom(_root.Combine("box", "a.bin"), 300_000, seed: 8);
        TestFiles.WriteRandom(_root.Combine("box", "b.bin"), 300_000, seed: 9);
        File.SetLastWriteTimeUtc(_root.Combine("box", "a.bin"), DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(_root.Combine("box", "b.bin"), DateTime.UtcNow.AddHours(-2));
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        using var before = await server.Client.GetAsync("archives/box.zip");
        var oldLastModified = before.Content.Headers.LastModified!.Value;
        File.Delete(_root.Combine("box", "b.bin"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "archives/box.zip");
        request.Headers.Range = new RangeHeaderValue(100_000, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(oldLastModified);

        using var response = await server.Client.SendAsync(request);

        Assert.NotEqual(before.Headers.ETag, response.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task IfModifiedSinceTheOldLastModifiedAfterAnOlderMemberWasDeleted_200NotA304()
    {
        TestFiles.WriteRandom(_root.Combine("box", "a.bin"), 1000, seed: 10);
        TestFiles.WriteRandom(_root.Combine("box", "b.bin"), 1000, seed: 11);
        File.SetLastWriteTimeUtc(_root.Combine("box", "a.bin"), DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(_root.Combine("box", "b.bin"), DateTime.UtcNow.AddHours(-2));
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Archives:Enabled=true");
        using var before = await server.Client.GetAsync("archives/box.zip");
        File.Delete(_root.Combine("box", "b.bin"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "archives/box.zip");
        request.Headers.IfModifiedSince = before.Content.Headers.LastModified;

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // A new version the way publishers write one: a temporary file renamed over the old name (new inode and mtime).
    private static void Replace(string path, int length, int seed)
    {
        var temporary = path + ".new-" + seed;
        TestFiles.WriteRandom(temporary, length, seed);
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddMinutes(5));
        File.Move(temporary, path, overwrite: true);
    }
}
