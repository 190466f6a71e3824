using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>
/// The published gateway (Native AOT, what <c>dotnet publish</c> makes and what the benchmarks measure), started as
/// its own process. Trimming removes what nothing references statically and there is no JIT to fall back on, so the
/// paths that lean on generated code are exercised here end to end: configuration binding of every options type
/// (numbers, enums, durations, lists, dictionaries, Kestrel limits), start-up validation, problem-details and event
/// JSON, minimal-API parameter binding, the S3 SDK and the HTTP origin client.
/// </summary>
[Collection(StorageServersGroup.Name)]
public sealed class NativeAotTests(StorageServersFixture servers)
{
    [Fact]
    public async Task FirstRunWithoutRoot_CreatesTheSampleAndServesItWithItsRealName()
    {
        using var workingDirectory = new TempFolder("aot-firstrun");
        using var gateway = await GatewayProcess.StartNativeAsync(workingDirectory.Path);
        using var client = ClientFor(gateway);

        using var sample = await client.GetAsync("files/sample.bin");
        var bytes = await sample.Content.ReadAsByteArrayAsync();
        var readme = await File.ReadAllTextAsync(workingDirectory.Combine("data", "README.txt"));
        Assert.Equal(HttpStatusCode.OK, sample.StatusCode);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(bytes)), readme, StringComparison.Ordinal);

        using var chinese = await client.GetAsync("files/" + Uri.EscapeDataString("季度报告 2024.txt"));
        Assert.Equal(HttpStatusCode.OK, chinese.StatusCode);
        Assert.Equal("季度报告 2024.txt", chinese.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("attachment", chinese.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task Ranges_Validators_AndProblemDetails_BehaveAsInTheJitBuild()
    {
        using var root = new TempFolder("aot-core");
        var content = TestFiles.WriteRandom(root.Combine("video.mp4"), 300_000, seed: 11);
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, "--root", root.Path);
        using var client = ClientFor(gateway);

        using var whole = await client.GetAsync("files/video.mp4");
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
        var etag = whole.Headers.ETag!;

        using var single = await SendAsync(client, "files/video.mp4", request => request.Headers.Range = new RangeHeaderValue(65_530, 131_080));
        Assert.Equal(HttpStatusCode.PartialContent, single.StatusCode);
        Assert.Equal(content[65_530..131_081], await single.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 65530-131080/300000", single.Content.Headers.ContentRange?.ToString());

        using var multi = await SendAsync(client, "files/video.mp4", request => request.Headers.TryAddWithoutValidation("Range", "bytes=0-99,-100"));
        Assert.Equal(HttpStatusCode.PartialContent, multi.StatusCode);
        var boundary = multi.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var parts = await MultipartReader.ReadPartsAsync(await multi.Content.ReadAsByteArrayAsync(), boundary);
        Assert.Equal([content[..100], content[^100..]], parts.Select(p => p.Body));

        using var unsatisfiable = await SendAsync(client, "files/video.mp4", request => request.Headers.Range = new RangeHeaderValue(300_000, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */300000", unsatisfiable.Content.Headers.ContentRange?.ToString());

        using var notModified = await SendAsync(client, "files/video.mp4", request => request.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var failed = await SendAsync(client, "files/video.mp4", request => request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\"")));
        Assert.Equal(HttpStatusCode.PreconditionFailed, failed.StatusCode);

        using var missing = await client.GetAsync("files/nope.bin");
        await AssertProblemAsync(missing, HttpStatusCode.NotFound);

        using var post = await client.PostAsync("files/video.mp4", new ByteArrayContent([1]));
        await AssertProblemAsync(post, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", post.Content.Headers.Allow);

        var traversal = await RawHttp.SendAsync(gateway.Port, "/files/..%2f..%2fetc/passwd");
        Assert.Equal(400, traversal.StatusCode);
        Assert.StartsWith("application/problem+json", traversal.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigurationBinding_ReachesEveryKind_OfSetting()
    {
        using var root = new TempFolder("aot-config");
        await File.WriteAllTextAsync(root.Combine("notes.custom"), "hello");
        var settings = root.Combine(".settings.json");
        await File.WriteAllTextAsync(settings, """
            {
              "Gateway": {
                "Download": { "CacheControl": "public, max-age=60", "DisableProxyBuffering": false, "ContentTypes": { ".custom": "text/x-custom" } },
                "ForwardedHeaders": { "TrustedNetworks": [ "10.0.0.0/8" ] },
                "Events": { "Access": "Open", "HeartbeatInterval": "00:00:00.300" }
              },
              "Kestrel": { "Limits": { "MaxRequestHeadersTotalSize": 4096 } }
            }
            """);
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, "--root", root.Path, "--config", settings);
        using var client = ClientFor(gateway);

        // A dictionary (ContentTypes), a string and a bool.
        using var response = await client.GetAsync("files/notes.custom");
        Assert.Equal("text/x-custom", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
        Assert.False(response.Headers.Contains("X-Accel-Buffering"));

        // Kestrel:Limits, bound onto KestrelServerOptions.Limits.
        var tooLarge = await RawHttp.SendAsync(gateway.Port, "/files/notes.custom", extraHeaders: $"X-Filler: {new string('a', 5000)}\r\n");
        Assert.Equal(431, tooLarge.StatusCode);

        // An enum (Access=Open) and a TimeSpan (the heartbeat comes within the configured 300 ms, not the default 15 s).
        using var events = await SseReader.OpenAsync(client);
        var snapshot = await events.NextEventAsync("snapshot");
        using (var json = JsonDocument.Parse(snapshot.Data))
        {
            Assert.Equal(0, json.RootElement.GetProperty("totals").GetProperty("active").GetInt32());
        }

        var heartbeat = await events.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("heartbeat", heartbeat.Comment?.Trim());
    }

    [Fact]
    public async Task TransferEvents_CarryTheDownloadAsJson_AndTheDashboardIsServed()
    {
        using var root = new TempFolder("aot-events");
        TestFiles.WriteRandom(root.Combine("report.pdf"), 200_000, seed: 5);
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, "--root", root.Path, "--Gateway:Events:Access=Open");
        using var client = ClientFor(gateway);
        using var events = await SseReader.OpenAsync(client);
        await events.NextEventAsync("snapshot");

        using var download = await client.GetAsync("files/report.pdf");
        var completed = await events.NextEventAsync("completed");

        using var json = JsonDocument.Parse(completed.Data);
        Assert.Equal("report.pdf", json.RootElement.GetProperty("key").GetString());
        Assert.Equal(200_000, json.RootElement.GetProperty("bytesSent").GetInt64());
        Assert.Equal("completed", json.RootElement.GetProperty("outcome").GetString());

        using var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/events", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Gateway:Download:ChunkSizeBytes=100", "Gateway:Download:ChunkSizeBytes")]
    [InlineData("--Gateway:Storage:Provider=S3", "Gateway:Storage:S3:Bucket")]
    [InlineData("--Gateway:Offload=NginxAccelRedirect,--Gateway:Offload:InternalPrefix=no-slash", "Gateway:Offload:InternalPrefix")]
    public async Task BadConfiguration_StopsStartupNamingTheKey(string arguments, string key)
    {
        using var root = new TempFolder("aot-badcfg");

        var (exitCode, output) = await ExternalTool.RunAsync(await NativeGatewayBuild.ExecutableAsync(),
            ["--urls", "http://127.0.0.1:0", "--root", root.Path, .. arguments.Split(',')], TimeSpan.FromSeconds(60), root.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(key, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3Provider_ServesObjectsAndRanges()
    {
        var bucket = "aot-" + Guid.NewGuid().ToString("N")[..12];
        await servers.S3.CreateBucketAsync(bucket);
        var content = RandomNumberGenerator.GetBytes(200_000);
        await servers.S3.PutAsync(bucket, "media/clip 片段.mp4", content);
        using var root = new TempFolder("aot-s3");
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, S3rverProcess.GatewayArgs(servers.S3.Port, bucket, "media/"));
        using var client = ClientFor(gateway);
        var target = "files/" + Uri.EscapeDataString("clip 片段.mp4");

        using var whole = await client.GetAsync(target);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());

        using var range = await SendAsync(client, target, request => request.Headers.Range = new RangeHeaderValue(70_000, 140_000));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(content[70_000..140_001], await range.Content.ReadAsByteArrayAsync());

        using var missing = await client.GetAsync("files/absent.bin");
        await AssertProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task HttpOriginProvider_ServesFilesAndRanges()
    {
        var folder = "aot-" + Guid.NewGuid().ToString("N")[..12];
        Directory.CreateDirectory(servers.Origin.Root.Combine(folder));
        var content = TestFiles.WriteRandom(servers.Origin.Root.Combine(folder, "disk.iso"), 250_000, seed: 3);
        using var root = new TempFolder("aot-origin");
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, OriginServer.GatewayArgs(servers.Origin.Port, folder));
        using var client = ClientFor(gateway);

        using var whole = await client.GetAsync("files/disk.iso");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());

        using var range = await SendAsync(client, "files/disk.iso", request => request.Headers.Range = new RangeHeaderValue(null, 1000));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(content[^1000..], await range.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task NginxOffload_ProxiedRequestGetsTheInternalRedirect_DirectOneTheBytes()
    {
        using var root = new TempFolder("aot-offload");
        await File.WriteAllTextAsync(root.Combine("季度 report.zip"), "zip bytes");
        using var gateway = await GatewayProcess.StartNativeAsync(root.Path, "--root", root.Path, "--Gateway:Offload=NginxAccelRedirect");
        var target = "/files/" + Uri.EscapeDataString("季度 report.zip");

        var proxied = await RawHttp.SendAsync(gateway.Port, target, extraHeaders: "X-Forwarded-For: 203.0.113.7\r\n");
        var direct = await RawHttp.SendAsync(gateway.Port, target);

        Assert.Equal(200, proxied.StatusCode);
        Assert.Equal("/_protected/%E5%AD%A3%E5%BA%A6%20report.zip", proxied.Header("X-Accel-Redirect"));
        Assert.Empty(proxied.Body);
        Assert.Equal(200, direct.StatusCode);
        Assert.Null(direct.Header("X-Accel-Redirect"));
        Assert.Equal("zip bytes"u8.ToArray(), direct.Body);
    }

    private static HttpClient ClientFor(GatewayProcess gateway) => new() { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}/"), Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string target, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        configure(request);
        return await client.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
    }
}
