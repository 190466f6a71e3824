using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.IntegrationTests.Hosting;

public sealed class StartupTests
{
    [Theory]
    [InlineData("--Gateway:Download:ChunkSizeBytes=100", "Gateway:Download:ChunkSizeBytes")]
    [InlineData("--Gateway:Download:ChunkSizeBytes=999999999", "Gateway:Download:ChunkSizeBytes")]
    [InlineData("--Gateway:Download:MaxRanges=0", "Gateway:Download:MaxRanges")]
    [InlineData("--Gateway:Download:ContentTypes:.foo=not a type", "Gateway:Download:ContentTypes:.foo")]
    public async Task BadConfiguration_StopsStartupNamingTheKey(string argument, string key)
    {
        using var root = new TempFolder("badcfg");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayServer.StartAsync(root.Path, argument));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRoot_StopsStartupNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayServer.StartAsync("/nonexistent/" + Guid.NewGuid()));

        Assert.Contains("Gateway:Storage:Root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_IsLayeredUnderTheCommandLine()
    {
        using var root = new TempFolder("cfgfile");
        await File.WriteAllTextAsync(root.Combine("a.txt"), "x");
        var configFile = root.Combine(".settings.json");
        await File.WriteAllTextAsync(configFile, """{ "Gateway": { "Download": { "CacheControl": "public, max-age=5", "DisableProxyBuffering": false } } }""");

        await using var server = await GatewayServer.StartAsync(root.Path, "--config", configFile, "--Gateway:Download:CacheControl=public, max-age=9");
        using var response = await server.Client.GetAsync("files/a.txt");

        Assert.Equal("public, max-age=9", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.False(response.Headers.Contains("X-Accel-Buffering"));
    }

    [Fact]
    public async Task FirstRunWithoutRoot_CreatesDataWithSampleThatDownloads()
    {
        // The README's first command, as a newcomer runs it: the built gateway in an empty folder, no root given.
        using var workingDirectory = new TempFolder("firstrun");
        using var gateway = await GatewayProcess.StartInFolderAsync(GatewayBuild.Jit, workingDirectory.Path, "--Logging:LogLevel:Default=Information");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}/") };

        var body = await client.GetByteArrayAsync("files/sample.bin");
        var readme = await client.GetStringAsync("files/README.txt");

        Assert.True(File.Exists(Path.Combine(workingDirectory.Path, "data", "sample.bin")));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(body)), readme, StringComparison.Ordinal);

        // One structured line per request: key, range kind, status, bytes sent, duration, aborted.
        const string Expected = "GET sample.bin range None status 200 sent 8388608 bytes";
        Assert.True(await Eventually.TrueAsync(() => gateway.Output.Contains(Expected, StringComparison.Ordinal), TimeSpan.FromSeconds(30)), gateway.Output);
        var logLine = gateway.Output.Split('\n').First(line => line.Contains(Expected, StringComparison.Ordinal)).TrimEnd();
        Assert.EndsWith("aborted False", logLine, StringComparison.Ordinal);
    }
}
