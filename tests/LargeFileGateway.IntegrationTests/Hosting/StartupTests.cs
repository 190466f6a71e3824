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
    [InlineData("--Gateway:Download:SlowClientChunkSizeBytes=100", "Gateway:Download:SlowClientChunkSizeBytes")]
    [InlineData("--Gateway:Download:ResponseWriteBufferBytes=0", "Gateway:Download:ResponseWriteBufferBytes")]
    [InlineData("--Gateway:Download:FastClientFlushBytes=100", "Gateway:Download:FastClientFlushBytes")]
    [InlineData("--Gateway:Download:FastClientFlushBudgetBytes=-1", "Gateway:Download:FastClientFlushBudgetBytes")]
    [InlineData("--Gateway:Download:ContentTypes:.foo=not a type", "Gateway:Download:ContentTypes:.foo")]
    public async Task BadConfiguration_StopsStartupNamingTheKey(string argument, string key)
    {
        using var root = new TempFolder("badcfg");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayServer.StartAsync(root.Path, argument));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfiguration_InSeveralSections_NamesEveryKeyAtOnce()
    {
        using var root = new TempFolder("badcfg-all");

        // One exception per options class, thrown together (an AggregateException) before the gateway listens.
        var error = await Assert.ThrowsAsync<AggregateException>(() => GatewayServer.StartAsync(root.Path,
            "--Gateway:Download:MaxRanges=0", "--Gateway:Events:Access=BearerToken", "--Gateway:Events:RingCapacity=0",
            "--Gateway:Offload:InternalPrefix=nope", "--Gateway:ForwardedHeaders:TrustedProxies:0=nginx.local",
            "--Gateway:Storage:Resilience:MaxRetryAttempts=99"));

        foreach (var key in new[] { "Gateway:Download:MaxRanges", "Gateway:Events:Token", "Gateway:Events:RingCapacity", "Gateway:Offload:InternalPrefix", "Gateway:ForwardedHeaders:TrustedProxies:0", "Gateway:Storage:Resilience:MaxRetryAttempts" })
        {
            Assert.Contains(error.InnerExceptions, inner => inner is OptionsValidationException && inner.Message.Contains(key, StringComparison.Ordinal));
        }
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
        using var gateway = await GatewayProcess.StartInFolderAsync(GatewayBuild.Jit, workingDirectory.Path, "--Logging:LogLevel:Default=Information",
            "--Logging:LogLevel:LargeFileGateway.AccessLog=Information");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}/") };

        var body = await client.GetByteArrayAsync("files/sample.bin");
        var readme = await client.GetStringAsync("files/README.txt");

        Assert.True(File.Exists(Path.Combine(workingDirectory.Path, "data", "sample.bin")));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(body)), readme, StringComparison.Ordinal);

        // One structured line per request when its category is on (off by default: RESULTS.md item 13): key, range
        // kind, status, bytes sent, duration, aborted.
        const string Expected = "GET sample.bin range None status 200 sent 8388608 bytes";
        Assert.True(await Eventually.TrueAsync(() => gateway.Output.Contains(Expected, StringComparison.Ordinal), TimeSpan.FromSeconds(30)), gateway.Output);
        var logLine = gateway.Output.Split('\n').First(line => line.Contains(Expected, StringComparison.Ordinal)).TrimEnd();
        Assert.EndsWith("aborted False", logLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{0}", "http://[::]:{0}")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{0}", "http://127.0.0.1:{0}")]
    [InlineData("DOTNET_URLS", "http://127.0.0.1:{0}", "http://127.0.0.1:{0}")]
    public async Task ListenAddressFromEnvironment_WinsOverTheDefault(string variable, string value, string expectedAddress)
    {
        // Issue 10, reliability 8: the container convention (ASPNETCORE_HTTP_PORTS=8080) used to lose to the
        // bundled "Urls" setting, and the gateway listened on 127.0.0.1:8080 only.
        using var root = new TempFolder("listen");
        await File.WriteAllTextAsync(root.Combine("a.txt"), "listening");
        var port = FreePort();
        string Format(string text) => string.Format(System.Globalization.CultureInfo.InvariantCulture, text, port);

        using var gateway = GatewayProcess.StartAsConfigured(root.Path, new Dictionary<string, string> { [variable] = Format(value) }, "--root", root.Path);
        var listening = await Eventually.TrueAsync(() => gateway.Output.Contains("Now listening on: ", StringComparison.Ordinal) || gateway.HasExited, TimeSpan.FromSeconds(60));

        Assert.True(listening, gateway.Output);
        Assert.Contains($"Now listening on: {Format(expectedAddress)}", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:8080", gateway.Output, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal("listening", await client.GetStringAsync("files/a.txt"));
    }

    [Theory]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{0}", "http://[::]:{0}")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:{0}", "http://127.0.0.1:{0}")]
    public async Task ListenAddressFromEnvironment_WithASampleConfigFile_WinsOverTheFile(string variable, string value, string expectedAddress)
    {
        using var root = new TempFolder("listen-config");
        var sample = Path.Combine(RepositoryPaths.Root, "config", "appsettings.Local.json");
        var port = FreePort();
        string Format(string text) => string.Format(System.Globalization.CultureInfo.InvariantCulture, text, port);

        using var gateway = GatewayProcess.StartAsConfigured(root.Path, new Dictionary<string, string> { [variable] = Format(value) }, "--config", sample, "--root", root.Path);
        var listening = await Eventually.TrueAsync(() => gateway.Output.Contains("Now listening on: ", StringComparison.Ordinal) || gateway.HasExited, TimeSpan.FromSeconds(60));

        Assert.True(listening, gateway.Output);
        Assert.Contains($"Now listening on: {Format(expectedAddress)}", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenAddress_NothingSet_IsLoopback8080()
    {
        // Port 8080 may be taken on the machine running the tests: either the gateway listens there, or it fails to
        // bind exactly there. Both show the address it chose, which is what this test is about.
        using var root = new TempFolder("listen-default");
        using var gateway = GatewayProcess.StartAsConfigured(root.Path, new Dictionary<string, string>(), "--root", root.Path);

        var decided = await Eventually.TrueAsync(
            () => gateway.Output.Contains("Now listening on: ", StringComparison.Ordinal) || gateway.HasExited, TimeSpan.FromSeconds(60));

        Assert.True(decided, gateway.Output);
        var output = gateway.Output;
        Assert.True(
            output.Contains("Now listening on: http://127.0.0.1:8080", StringComparison.Ordinal)
            || output.Contains("Failed to bind to address http://127.0.0.1:8080: address already in use", StringComparison.Ordinal),
            output);
        Assert.True(output.Split('\n').Count(line => line.Contains("Now listening on: ", StringComparison.Ordinal)) <= 1, output);
    }

    [Fact]
    public async Task DotnetRun_FromAnotherFolder_ServesDataInThatFolder()
    {
        // Issue 10, reliability 11: README's first command, "dotnet run --project src/LargeFileGateway", run from
        // the repository root, used to create src/LargeFileGateway/data instead of ./data.
        using var workingDirectory = new TempFolder("dotnet-run");
        var project = Path.Combine(RepositoryPaths.Root, "src", "LargeFileGateway");
        using var run = ExternalTool.Start("dotnet", ["run", "--project", project, "--no-build", "-c", "Release", "--", "--urls", "http://127.0.0.1:0"], workingDirectory.Path);
        try
        {
            var started = await Eventually.TrueAsync(() => ListeningPort(run.Output) is not null || run.HasExited, TimeSpan.FromSeconds(90));
            Assert.True(started && ListeningPort(run.Output) is not null, run.Output);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ListeningPort(run.Output)}/") };

            var body = await client.GetByteArrayAsync("files/sample.bin");

            var sample = Path.Combine(workingDirectory.Path, "data", "sample.bin");
            Assert.True(File.Exists(sample), run.Output);
            Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(sample)), SHA256.HashData(body));
        }
        finally
        {
            // dotnet run starts the gateway as its own child: stop that child by its pid, then the CLI.
            foreach (var child in ChildProcessIds(run.ProcessId))
            {
                using var process = System.Diagnostics.Process.GetProcessById(child);
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
    }

    private static int? ListeningPort(string output)
        => System.Text.RegularExpressions.Regex.Match(output, @"Now listening on: http://127\.0\.0\.1:(\d+)") is { Success: true } match
            ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static List<int> ChildProcessIds(int parent)
    {
        var children = new List<int>();
        foreach (var task in Directory.Exists($"/proc/{parent}/task") ? Directory.GetDirectories($"/proc/{parent}/task") : [])
        {
            var file = Path.Combine(task, "children");
            if (File.Exists(file))
            {
                foreach (var id in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var child = int.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
                    children.AddRange(ChildProcessIds(child));
                    children.Add(child);
                }
            }
        }

        return children;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
