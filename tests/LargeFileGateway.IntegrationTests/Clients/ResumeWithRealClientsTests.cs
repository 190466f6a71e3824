using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Clients;

/// <summary>curl and wget, interrupted mid-download and resumed: the result must equal the source.</summary>
public sealed class ResumeWithRealClientsTests() : GatewayTest("resume"), IDisposable
{
    private const int Length = 24 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempFolder _downloads = new("resume-out");
    private string _expected = null!;

    public void Dispose() => _downloads.Dispose();

    protected override async Task ArrangeAsync()
    {
        TestFiles.WriteRandom(Root.Combine("季度报告 2024.zip"), Length, seed: 3);
        _expected = await TestFiles.Sha256Async(Root.Combine("季度报告 2024.zip"));
    }

    private string Url => new Uri(Server.BaseAddress, "files/%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%202024.zip").AbsoluteUri;

    [Fact]
    public async Task CurlInterruptedThenResumed_MatchesSource()
    {
        var output = _downloads.Combine("curl.zip");
        using (var first = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4M", "-o", output, Url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 2 << 20, Bound);
            first.Kill();
        }

        var partial = new FileInfo(output).Length;
        Assert.InRange(partial, 1, Length - 1);

        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-o", output, Url], Bound);

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task CurlResumeOnCompleteFile_AppendsNothing()
    {
        var output = _downloads.Combine("complete.zip");
        File.Copy(Root.Combine("季度报告 2024.zip"), output);

        await ExternalTool.RunAsync("curl", ["-sS", "-C", "-", "-o", output, Url], Bound);

        Assert.Equal(Length, new FileInfo(output).Length);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task WgetInterruptedThenResumed_MatchesSource()
    {
        var output = _downloads.Combine("wget.zip");
        using (var first = ExternalTool.Start("wget", ["-q", "--limit-rate=4m", "-O", output, Url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 2 << 20, Bound);
            first.Kill();
        }

        var partial = new FileInfo(output).Length;
        Assert.InRange(partial, 1, Length - 1);

        var resumed = await ExternalTool.RunAsync("wget", ["-q", "-c", "-O", output, Url], Bound);

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(_expected, await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task WgetContentDisposition_SavesUnderTheRealChineseName()
    {
        // wget, like browsers, reads filename*=UTF-8''… (RFC 6266 §4.3). curl -J only reads the ASCII filename=.
        var folder = _downloads.Combine("named");
        Directory.CreateDirectory(folder);

        var result = await ExternalTool.RunAsync("wget", ["-q", "--content-disposition", "-P", folder, new Uri(Server.BaseAddress, "files/%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%202024.zip?dl=1").AbsoluteUri], Bound);

        Assert.Equal(0, result.ExitCode);
        var saved = Assert.Single(Directory.GetFiles(folder));
        Assert.Equal("季度报告 2024.zip", Path.GetFileName(saved));
        Assert.Equal(_expected, await TestFiles.Sha256Async(saved));
    }

    [Fact]
    public async Task ChineseName_ContentDispositionCarriesTheRealName()
    {
        using var response = await Server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url));

        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("季度报告 2024.zip", disposition.FileNameStar);
        Assert.True(disposition.FileName!.All(char.IsAscii));
    }
}
