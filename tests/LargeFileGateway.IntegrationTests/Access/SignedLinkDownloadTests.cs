using System.Net;
using System.Text.RegularExpressions;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LargeFileGateway.IntegrationTests.Access;

/// <summary>Issue 11: signed links on real Kestrel, with real clients, a clock the test moves and counted storage calls.</summary>
public sealed partial class SignedLinkDownloadTests : IAsyncLifetime
{
    private const int BigLength = 24 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly TempFolder _root = new("links");
    private readonly TempFolder _downloads = new("links-out");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CountingStorage _storage = new();
    private byte[] _b = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _b = TestFiles.WriteRandom(_root.Combine("private", "a", "b"), 5000, seed: 1);
        TestFiles.WriteRandom(_root.Combine("private", "a", "b2"), 5000, seed: 2);
        TestFiles.WriteRandom(_root.Combine("private", "a", "c"), 5000, seed: 3);
        TestFiles.WriteRandom(_root.Combine("private", "a", "b."), 5000, seed: 4);
        TestFiles.WriteRandom(_root.Combine("private", "ab", "x"), 5000, seed: 5);
        TestFiles.WriteRandom(_root.Combine("private", "q3 é.pdf"), 5000, seed: 6);
        TestFiles.WriteRandom(_root.Combine("private", "big.bin"), BigLength, seed: 7);
        TestFiles.WriteRandom(_root.Combine("public.txt"), 100, seed: 8);
        _server = await SignedLinkTestServer.StartAsync(_root.Path, _time, _storage);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
        _downloads.Dispose();
    }

    private string Mint(string key, TimeSpan? validFor = null, string? network = null, bool prefix = false)
        => SignedLinkTestServer.Signer.Mint(key, _time.GetUtcNow() + (validFor ?? TimeSpan.FromHours(1)), network, prefixScope: prefix);

    private string Absolute(string relative) => new Uri(_server.BaseAddress, relative.TrimStart('/')).AbsoluteUri;

    [Fact]
    public async Task SignedGet_ValidLink_ReturnsTheFile()
    {
        using var response = await _server.Client.GetAsync(Mint("private/a/b").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_b, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SignedHead_ValidLink_Returns200WithLengthAndNoBody()
    {
        var response = await RawHttp.SendAsync(_server.Port, Mint("private/a/b"), "HEAD");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("5000", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task OpenFile_NeedsNoLink()
    {
        var response = await RawHttp.SendAsync(_server.Port, "/files/public.txt");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task RefusedLinks_AllAnswerByteIdentically_AndNeverTouchStorage()
    {
        var valid = Mint("private/a/b");
        var signature = Regex.Match(valid, "sig=([^&]+)").Groups[1].Value;
        var other = (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        string[] refused =
        [
            "/files/private/a/b",
            valid.Replace(signature, other, StringComparison.Ordinal),
            valid.Replace("kid=k1", "kid=k0", StringComparison.Ordinal),
            valid.Replace("kid=k1", "kid=gone", StringComparison.Ordinal),
            valid + "&sig=" + signature,
            valid.Replace("sig=", "sig=x", StringComparison.Ordinal),
            Mint("private/a/b", TimeSpan.FromSeconds(-10)),
            Mint("private/a/b", network: "203.0.113.0/24"),
            valid.Replace("/a/b?", "/a/b2?", StringComparison.Ordinal),
        ];

        var answers = new List<RawHttp.Response>();
        foreach (var target in refused)
        {
            answers.Add(await RawHttp.SendAsync(_server.Port, target));
        }

        Assert.All(answers, answer => Assert.Equal(403, answer.StatusCode));
        var first = WithoutDate(answers[0]);
        Assert.All(answers, answer => Assert.Equal(first, WithoutDate(answer)));
        Assert.Equal(0, _storage.Calls);
    }

    [Fact]
    public async Task ExpiredLinkWithResumeHeaders_OnChangedFile_RefusedLikeAnyOther()
    {
        var link = Mint("private/a/b", TimeSpan.FromMinutes(1));
        var etag = (await RawHttp.SendAsync(_server.Port, link, "HEAD")).Header("ETag")!;
        _time.Advance(TimeSpan.FromHours(1));
        await File.WriteAllBytesAsync(_root.Combine("private", "a", "b"), new byte[5000]);
        var reference = await RawHttp.SendAsync(_server.Port, "/files/private/a/b");

        var refused = await RawHttp.SendAsync(_server.Port, link, extraHeaders: $"Range: bytes=100-\r\nIf-Range: {etag}\r\n");

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(WithoutDate(reference), WithoutDate(refused));
    }

    [Theory]
    [InlineData("/files/priv%61te/%61/b")]
    [InlineData("/files/private//a//b")]
    [InlineData("/files//private/a/b")]
    [InlineData("/files/private/a/./b")]
    [InlineData("/files/private/a/b/")]
    public async Task OtherSpellingOfTheSignedKey_AnswersLikeTheSignedSpelling(string path)
    {
        var query = Mint("private/a/b")[Mint("private/a/b").IndexOf('?', StringComparison.Ordinal)..];

        var response = await RawHttp.SendAsync(_server.Port, path + query);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_b, response.Body);
    }

    [Theory]
    [InlineData("/files/private/a/b2")]
    [InlineData("/files/private/a/b.")]
    [InlineData("/files/private/a/b/../c")]
    [InlineData("/files/private/a/b/%2e%2e/c")]
    [InlineData("/files/private/a/b%2f..%2fc")]
    [InlineData("/files/private/a/B")]
    public async Task SignatureForAB_NeverOpensAnotherKey(string path)
    {
        var query = Mint("private/a/b")[Mint("private/a/b").IndexOf('?', StringComparison.Ordinal)..];

        var response = await RawHttp.SendAsync(_server.Port, path + query);

        Assert.NotEqual(200, response.StatusCode);
        Assert.NotEqual(206, response.StatusCode);
    }

    [Fact]
    public async Task PrefixLink_OpensKeysUnderItsFolder_NeverASiblingWithTheSameStart()
    {
        var link = Mint("private/a", prefix: true);
        var query = link[link.IndexOf('?', StringComparison.Ordinal)..];

        var inside = await RawHttp.SendAsync(_server.Port, "/files/private/a/c" + query);
        var sibling = await RawHttp.SendAsync(_server.Port, "/files/private/ab/x" + query);

        Assert.StartsWith("/files/private/a/?", link, StringComparison.Ordinal);
        Assert.Equal(200, inside.StatusCode);
        Assert.Equal(403, sibling.StatusCode);
    }

    [Fact]
    public async Task UnknownParameters_NotSigned_KeepWorking()
    {
        var response = await RawHttp.SendAsync(_server.Port, Mint("private/a/b") + "&inline=1");

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("inline", response.Header("Content-Disposition"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkBoundLink_ThroughTrustedProxyForwardedFor_OnlyForThatClient()
    {
        var link = Mint("private/a/b", network: "203.0.113.0/24");

        // The test connects from loopback, which the gateway trusts as a proxy by default (nginx on the same host).
        var inside = await RawHttp.SendAsync(_server.Port, link, extraHeaders: "X-Forwarded-For: 203.0.113.9\r\n");
        var outside = await RawHttp.SendAsync(_server.Port, link, extraHeaders: "X-Forwarded-For: 198.51.100.9\r\n");
        var direct = await RawHttp.SendAsync(_server.Port, link);

        Assert.Equal(200, inside.StatusCode);
        Assert.Equal(403, outside.StatusCode);
        Assert.Equal(403, direct.StatusCode);
    }

    [Fact]
    public async Task PythonSnippetFromReadme_MintsALinkTheGatewayAccepts()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"));
        var snippet = PythonSnippet().Match(readme[readme.IndexOf("## Protecting files", StringComparison.Ordinal)..]).Groups[1].Value;
        Assert.True(snippet.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 10, snippet);
        var script = _downloads.Combine("mint.py");
        await File.WriteAllTextAsync(script, snippet
            .Replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", Convert.ToBase64String(SignedLinkTestServer.Secret), StringComparison.Ordinal)
            .Replace("http://127.0.0.1:8080", _server.BaseAddress.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal));

        var (exitCode, output) = await ExternalTool.RunAsync("python3", [script], Bound);
        using var response = await _server.Client.GetAsync(output.Trim());

        Assert.Equal(0, exitCode);
        Assert.Contains("/files/private/q3%20%C3%A9.pdf?exp=", output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(_root.Combine("private", "q3 é.pdf")), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SignCommand_AsAProcess_PrintsALinkThatDownloads()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "LargeFileGateway.dll"), "sign", "private/q3 é.pdf", "--expires-in", "2h",
             $"--Gateway:Access:Keys:k1={Convert.ToBase64String(SignedLinkTestServer.Secret)}", "--base-url", _server.BaseAddress.AbsoluteUri], Bound, _downloads.Path);
        using var response = await _server.Client.GetAsync(output.Trim());

        Assert.Equal(0, exitCode);
        Assert.StartsWith(_server.BaseAddress.AbsoluteUri.TrimEnd('/') + "/files/private/q3%20%C3%A9.pdf?exp=", output.Trim(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SignCommand_SeveralKeysWithoutKid_FailsWithExitCode2()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "LargeFileGateway.dll"), "sign", "private/a/b", "--expires-in", "2h",
             "--Gateway:Access:Keys:k1=" + Convert.ToBase64String(SignedLinkTestServer.Secret), "--Gateway:Access:Keys:k0=" + Convert.ToBase64String(SignedLinkTestServer.OldSecret)], Bound, _downloads.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("--kid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CurlResume_ThroughSignedLink_MatchesSource()
    {
        var url = Absolute(Mint("private/big.bin"));
        var output = _downloads.Combine("curl.bin");
        using (var first = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4M", "-o", output, url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 2 << 20, Bound);
            first.Kill();
        }

        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-o", output, url], Bound);

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("private", "big.bin")), await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task WgetResume_ThroughSignedLink_MatchesSource()
    {
        var url = Absolute(Mint("private/big.bin"));
        var output = _downloads.Combine("wget.bin");
        using (var first = ExternalTool.Start("wget", ["-q", "--limit-rate=4m", "-O", output, url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 2 << 20, Bound);
            first.Kill();
        }

        var resumed = await ExternalTool.RunAsync("wget", ["-q", "-c", "-O", output, url], Bound);

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("private", "big.bin")), await TestFiles.Sha256Async(output));
    }

    [Fact]
    public async Task Aria2EightConnections_ThroughSignedLink_MatchesSource()
    {
        var url = Absolute(Mint("private/big.bin"));

        var (exitCode, log) = await ExternalTool.RunAsync("aria2c",
            ["-q", "-x8", "-s8", "-k1M", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
             "-d", _downloads.Path, "-o", "aria2.bin", url], Bound);

        Assert.True(exitCode == 0, log);
        Assert.Equal(await TestFiles.Sha256Async(_root.Combine("private", "big.bin")), await TestFiles.Sha256Async(_downloads.Combine("aria2.bin")));
    }

    [Fact]
    public async Task LinkExpiringDuringDownload_ResumesWithinGrace_NotAsNewDownload_NotAfterTheFileChanged()
    {
        var link = Mint("private/big.bin", TimeSpan.FromMinutes(5));
        var url = Absolute(link);
        var etag = (await RawHttp.SendAsync(_server.Port, link, "HEAD")).Header("ETag")!;
        var output = _downloads.Combine("grace.bin");
        using (var first = ExternalTool.Start("curl", ["-sS", "--limit-rate", "4M", "-o", output, url]))
        {
            await ExternalTool.WaitForFileSizeAsync(output, 2 << 20, Bound);
            first.Kill();
        }

        _time.Advance(TimeSpan.FromHours(2));
        var fresh = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-o", _downloads.Combine("fresh.bin"), url], Bound);
        var resumed = await ExternalTool.RunAsync("curl", ["-sS", "-f", "-C", "-", "-H", $"If-Range: {etag}", "-o", output, url], Bound);
        var source = await TestFiles.Sha256Async(_root.Combine("private", "big.bin"));
        TestFiles.WriteRandom(_root.Combine("private", "big.bin"), BigLength, seed: 99);
        _time.Advance(TimeSpan.FromMinutes(1));
        var afterChange = await RawHttp.SendAsync(_server.Port, link, extraHeaders: $"Range: bytes=100-\r\nIf-Range: {etag}\r\n");

        Assert.Equal(22, fresh.ExitCode);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Equal(source, await TestFiles.Sha256Async(output));
        Assert.Equal(403, afterChange.StatusCode);
    }

    /// <summary>
    /// The answer without what differs between any two requests: the Date header and the traceId the problem-details
    /// service adds (Kestrel's request id, or the W3C trace id when traces are exported: an id per request, kept so
    /// that an operator can find the request; it tells a client nothing about the check). Its length is fixed for
    /// either form, so Content-Length stays comparable.
    /// </summary>
    private static string WithoutDate(RawHttp.Response response)
        => string.Join("\r\n", response.HeaderBlock.Split("\r\n").Where(line => !line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase)))
            + "\r\n\r\n" + TraceId().Replace(System.Text.Encoding.UTF8.GetString(response.Body), "\"traceId\":\"<id>\"");

    [GeneratedRegex("\"traceId\":\"(00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]|[0-9A-V]{13}:[0-9A-F]{8})\"")]
    private static partial Regex TraceId();

    [GeneratedRegex("```python\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonSnippet();
}
