using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Archives;

/// <summary>
/// Issue 15: an archive interrupted and resumed by real clients (curl -C -, wget -c) and fetched in 16 pieces by
/// aria2c is byte-identical to a full download, and a valid zip of the folder.
/// </summary>
public sealed class ArchiveResumeTests() : GatewayTest("archive-resume"), IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFolder _downloads = new("archive-resume-out");
    private string _expected = null!;
    private long _length;

    protected override string[] GatewayArguments => ["--Gateway:Archives:Enabled=true"];

    private string Url => new Uri(Server.BaseAddress, "archives/%E6%95%B0%E6%8D%AE.zip").AbsoluteUri;

    public void Dispose() => _downloads.Dispose();

    protected override Task ArrangeAsync()
    {
        // 数据/: six members of 4 MiB (one a folder down) and small ones between them, 24 MiB in all.
        for (var i = 0; i < 6; i++)
        {
            TestFiles.WriteRandom(Root.Combine("数据", i % 2 == 0 ? "" : "sub", $"part-{i}.bin"), 4 << 20, seed: 100 + i);
            TestFiles.WriteRandom(Root.Combine("数据", $"note-{i}.txt"), 1000 + i, seed: 200 + i);
        }

        return Task.CompletedTask;
    }

    protected override async Task StartedAsync()
    {
        var full = _downloads.Combine("full.zip");
        await ZipTools.DownloadAsync(Url, full);
        _expected = await TestFiles.Sha256Async(full);
        _length = new FileInfo(full).Length;
        await ZipTools.AssertAllAcceptAsync(full);
    }

    [Fact]
    public async Task CurlKilledMidArchiveThenResumed_ByteIdenticalToAFullDownload()
    {
        var output = _downloads.Combine("curl.zip");
        using (var first = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4M", "-o", output, Url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 6 << 20, Bound);
            first.Kill();
        }

        Assert.InRange(new FileInfo(output).Length, 1, _length - 1);

        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-o", output, Url], Bound);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task WgetKilledMidArchiveThenContinued_ByteIdenticalToAFullDownload()
    {
        var output = _downloads.Combine("wget.zip");
        using (var first = ExternalTool.Start("wget", ["-q", "--limit-rate=4m", "-O", output, Url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 10 << 20, Bound);
            first.Kill();
        }

        Assert.InRange(new FileInfo(output).Length, 1, _length - 1);

        var resumed = await ExternalTool.RunAsync("wget", ["-q", "-c", "-O", output, Url], Bound);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task Aria2SixteenConnections_ByteIdenticalToAFullDownload()
    {
        var folder = _downloads.Combine("aria2");
        Directory.CreateDirectory(folder);

        var result = await ExternalTool.RunAsync("aria2c",
            ["-x16", "-s16", "-k1M", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false", "-q", "-d", folder, "-o", "aria2.zip", Url], Bound);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(_expected, await TestFiles.Sha256Async(Path.Combine(folder, "aria2.zip")));
    }

    [Fact]
    public async Task CurlResumedByAFreshGatewayThatNeverComputedACrc_ByteIdenticalToAFullDownload()
    {
        var output = _downloads.Combine("fresh.zip");
        using (var first = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4M", "-o", output, Url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 14 << 20, Bound);
            first.Kill();
        }

        await using var fresh = await GatewayServer.StartAsync(Root.Path, GatewayArguments);
        var url = new Uri(fresh.BaseAddress, "archives/%E6%95%B0%E6%8D%AE.zip").AbsoluteUri;

        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-o", output, url], Bound);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }
}
