using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.IntegrationTests.Hosting;

public sealed partial class StartupTests
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
        var gateway = typeof(Program).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { gateway, "--urls", "http://127.0.0.1:0" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        try
        {
            var address = await ReadListeningAddressAsync(process, TimeSpan.FromSeconds(60));
            using var client = new HttpClient { BaseAddress = address };

            var body = await client.GetByteArrayAsync("files/sample.bin");
            var readme = await client.GetStringAsync("files/README.txt");

            Assert.True(File.Exists(Path.Combine(workingDirectory.Path, "data", "sample.bin")));
            Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(body)), readme, StringComparison.Ordinal);

            // One structured line per request: key, range kind, status, bytes sent, duration, aborted.
            var logLine = await ReadLineMatchingAsync(process, "GET sample.bin range None status 200 sent 8388608 bytes", TimeSpan.FromSeconds(30));
            Assert.EndsWith("aborted False", logLine, StringComparison.Ordinal);
        }
        finally
        {
            ExternalProcess.Kill(process);
        }
    }

    private static async Task<Uri> ReadListeningAddressAsync(Process process, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                return new Uri(match.Groups[1].Value + "/");
            }
        }

        throw new InvalidOperationException("The gateway exited before it listened: " + await process.StandardError.ReadToEndAsync());
    }

    private static async Task<string> ReadLineMatchingAsync(Process process, string fragment, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Contains(fragment, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The gateway never logged '{fragment}'.");
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
