using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Digests;

/// <summary>Issue 14: <c>name.sha256</c> answers that coreutils checks, and what aria2c does with the Digest field.</summary>
public sealed class ChecksumFileTests : IDisposable
{
    private static readonly TimeSpan HashTime = TimeSpan.FromSeconds(60);

    private readonly TempFolder _root = new("sum-root");
    private readonly TempFolder _store = new("sum-store");
    private readonly TempFolder _client = new("sum-client");

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task GetSha256_BeforeTheDigestIsKnown_Returns503WithRetryAfterThenALineSha256sumChecks()
    {
        TestFiles.WriteRandom(_root.Combine("iso", "release.iso"), 4 * 1024 * 1024, seed: 150);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path, "--Gateway:Digests:RetryAfter=00:00:02"));

        using var early = await server.Client.GetAsync("files/iso/release.iso.sha256");
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/iso/release.iso", HashTime);
        using var known = await server.Client.GetAsync("files/iso/release.iso.sha256");
        var line = await known.Content.ReadAsStringAsync();
        File.Copy(_root.Combine("iso", "release.iso"), _client.Combine("release.iso"));
        await File.WriteAllTextAsync(_client.Combine("release.iso.sha256"), line);
        var (exitCode, output) = await ExternalTool.RunAsync("sha256sum", ["-c", "release.iso.sha256"], TimeSpan.FromMinutes(1), _client.Path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal("2", early.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal("text/plain", known.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await DigestProbe.Sha256SumAsync(_root.Combine("iso", "release.iso")) + "  release.iso\n", line);
        Assert.True(exitCode == 0, output);
        Assert.Contains("release.iso: OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSha256_NoSuchFile_Returns404()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));

        using var response = await server.Client.GetAsync("files/missing.iso.sha256");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Aria2c_KnownDigest_LogShowsTheChecksumVerified()
    {
        TestFiles.WriteRandom(_root.Combine("tool.tar"), 2 * 1024 * 1024, seed: 151);
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        await DigestProbe.WaitForReprDigestAsync(server.Client, "files/tool.tar", HashTime);

        var (exitCode, output) = await Aria2cAsync(server, "tool.tar");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Verification finished successfully", output, StringComparison.Ordinal);
        Assert.Equal(await DigestProbe.Sha256SumAsync(_root.Combine("tool.tar")), await DigestProbe.Sha256SumAsync(_client.Combine("tool.tar")));
    }

    [Fact]
    public async Task Aria2c_WrongPublisherSidecar_ReportsTheChecksumMismatch()
    {
        TestFiles.WriteRandom(_root.Combine("tool.tar"), 2 * 1024 * 1024, seed: 152);
        await File.WriteAllTextAsync(_root.Combine("tool.tar.sha256"), new string('0', 64) + "  tool.tar\n");
        await using var server = await GatewayServer.StartAsync(_root.Path, DigestProbe.Args(_store.Path));
        var digest = await DigestProbe.WaitForReprDigestAsync(server.Client, "files/tool.tar", HashTime);

        var (exitCode, output) = await Aria2cAsync(server, "tool.tar");

        Assert.Equal(DigestProbe.ReprDigest("sha-256", new string('0', 64)), digest);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Checksum error detected", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> Aria2cAsync(GatewayServer server, string name)
        => await ExternalTool.RunAsync("aria2c",
            ["--console-log-level=info", "--summary-interval=0", "--allow-overwrite=true", "-x4", "-s4", "-k1M", "-d", _client.Path, "-o", name, new Uri(server.BaseAddress, "files/" + name).ToString()],
            TimeSpan.FromMinutes(2));
}
