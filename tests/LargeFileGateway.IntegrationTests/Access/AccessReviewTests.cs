using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>
/// Ways around the access step: a symbolic link from an open folder into a protected one, an expired link used with
/// a Range the planner ignores, the live stream naming protected keys, credentials landing in the access log.
/// </summary>
public sealed class AccessReviewTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("access-review");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TempFolder _logs = new("access-review-logs");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteRandom(_root.Combine("private", "s.txt"), 100, seed: 1);
        TestFiles.WriteRandom(_root.Combine("private", "big.bin"), 100_000, seed: 2);
        TestFiles.WriteRandom(_root.Combine("public", "readme.txt"), 10, seed: 3);
        File.CreateSymbolicLink(_root.Combine("public", "alias"), "../private");
        File.CreateSymbolicLink(_root.Combine("public", "s-link.txt"), "../private/s.txt");
        File.CreateSymbolicLink(_root.Combine("public", "readme-link.txt"), "readme.txt");
        _server = await SignedLinkTestServer.StartAsync(_root.Path, _time, countStorage: null,
            "--Gateway:Events:Access=Open", "--Gateway:AccessLog:Enabled=true", "--Gateway:AccessLog:Format=Json",
            $"--Gateway:AccessLog:Path={_logs.Combine("access.log")}");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData("public/alias/s.txt")]
    [InlineData("public/s-link.txt")]
    public async Task Get_SymlinkInAnOpenFolderIntoAProtectedOne_IsRefused(string key)
    {
        var plain = await RawHttp.SendAsync(_server.Port, "/files/" + key);
        var signedForTheAlias = await RawHttp.SendAsync(_server.Port, Mint(key));

        Assert.Equal(403, plain.StatusCode);
        Assert.Equal(403, signedForTheAlias.StatusCode);
    }

    [Fact]
    public async Task Get_SymlinkIntoAProtectedFolderWithAProofForItsTarget_Downloads()
    {
        // A prefix link for the whole root covers both the alias and the file it leads to.
        var link = Mint(string.Empty, prefix: true);
        var response = await RawHttp.SendAsync(_server.Port, "/files/public/alias/s.txt" + link[link.IndexOf('?', StringComparison.Ordinal)..]);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(File.ReadAllBytes(_root.Combine("private", "s.txt")), response.Body);
    }

    [Fact]
    public async Task Get_SymlinkInsideAnOpenFolder_StaysOpen()
    {
        var response = await RawHttp.SendAsync(_server.Port, "/files/public/readme-link.txt");

        Assert.Equal(200, response.StatusCode);
    }

    [Theory]
    [InlineData("Range: garbage\r\n")]
    [InlineData("Range: items=10-20\r\n")]
    [InlineData("Range: bytes=5-1\r\n")]
    [InlineData("Range: bytes=10-20\r\nRange: bytes=30-40\r\n")]
    [InlineData("Range: bytes=0-\r\n")]
    [InlineData("Range: bytes=0-10,50-60\r\n")]
    public async Task Get_ExpiredLinkWithARangeThatIsNotAResume_IsRefused(string range)
    {
        var link = Mint("private/big.bin", TimeSpan.FromMinutes(1));
        var etag = (await RawHttp.SendAsync(_server.Port, link, "HEAD")).Header("ETag")!;
        _time.Advance(TimeSpan.FromMinutes(10));

        var refused = await RawHttp.SendAsync(_server.Port, link, extraHeaders: $"{range}If-Range: {etag}\r\n");
        var resumed = await RawHttp.SendAsync(_server.Port, link, extraHeaders: $"Range: bytes=50000-\r\nIf-Range: {etag}\r\n");

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(206, resumed.StatusCode);
        Assert.Equal(50_000, resumed.Body.Length);
    }

    [Fact]
    public async Task Events_WithOneProtectedFolderAndAnOpenRoot_NeedProofForEveryKey()
    {
        var anonymous = await RawHttp.SendAsync(_server.Port, "/events");
        var folderLink = Mint("private/", prefix: true);
        var withFolderLink = await RawHttp.SendAsync(_server.Port, "/events" + folderLink[folderLink.IndexOf('?', StringComparison.Ordinal)..]);
        var rootLink = Mint(string.Empty, prefix: true);
        using var client = new HttpClient { BaseAddress = _server.BaseAddress };
        using var withRootLink = await client.GetAsync("events" + rootLink[rootLink.IndexOf('?', StringComparison.Ordinal)..], HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(403, anonymous.StatusCode);
        Assert.Equal(403, withFolderLink.StatusCode);
        Assert.Equal(200, (int)withRootLink.StatusCode);
    }

    [Fact]
    public async Task AccessLog_SignedLink_RecordsTheRequestWithoutItsSignature()
    {
        var link = Mint("private/s.txt");
        var signature = link[(link.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        var response = await RawHttp.SendAsync(_server.Port, link + "&inline=1");
        var logged = await Eventually.TrueAsync(() => File.Exists(_logs.Combine("access.log")) && File.ReadAllText(_logs.Combine("access.log")).Contains("private/s.txt", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        var line = File.ReadAllLines(_logs.Combine("access.log")).Last(l => l.Contains("private/s.txt", StringComparison.Ordinal));
        Assert.Equal(200, response.StatusCode);
        Assert.True(logged);
        Assert.DoesNotContain(signature, line, StringComparison.Ordinal);
        using var entry = JsonDocument.Parse(line);
        var target = entry.RootElement.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.StartsWith("/files/", StringComparison.Ordinal)).Value.GetString()!;
        Assert.Contains("sig=REDACTED", target, StringComparison.Ordinal);
        Assert.Contains("inline=1", target, StringComparison.Ordinal);
    }

    private string Mint(string key, TimeSpan? validFor = null, bool prefix = false)
        => SignedLinkTestServer.Signer.Mint(key, _time.GetUtcNow() + (validFor ?? TimeSpan.FromHours(1)), prefixScope: prefix);
}
