using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>
/// Issue 13, HTTPS and HTTP/2 straight on Kestrel: an endpoint in Kestrel's own configuration form with a PEM
/// certificate made by the test, downloads over HTTP/1.1 and HTTP/2 (ALPN), old TLS refused, and a renewed
/// certificate served without a restart.
/// </summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private const int FileLength = 3 * 1024 * 1024;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _root = new("https-root");
    private readonly TempFolder _tls = new("https-tls");
    private readonly TempFolder _downloads = new("https-downloads");
    private byte[] _source = null!;
    private string _firstThumbprint = null!;
    private GatewayServer _server = null!;
    private HttpClient _http2 = null!;

    private string CertificatePath => _tls.Combine("live", "cert.pem");

    private string KeyPath => _tls.Combine("live", "key.pem");

    private string Url => $"https://127.0.0.1:{_server.Port}/files/data.bin";

    public async Task InitializeAsync()
    {
        _source = TestFiles.WriteRandom(_root.Combine("data.bin"), FileLength, seed: 43);
        _firstThumbprint = SelfSignedPem.Write(CertificatePath, KeyPath);
        _server = await GatewayServer.StartAsync(_root.Path,
            "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            $"--Kestrel:Endpoints:Https:Certificate:Path={CertificatePath}",
            $"--Kestrel:Endpoints:Https:Certificate:KeyPath={KeyPath}");
        _http2 = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => SelfSignedPem.IsTestCertificate(certificate) } })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = ToolTimeout,
        };
    }

    public async Task DisposeAsync()
    {
        _http2.Dispose();
        await _server.DisposeAsync();
        _root.Dispose();
        _tls.Dispose();
        _downloads.Dispose();
    }

    [Theory]
    [InlineData("--http1.1", "1.1")]
    [InlineData("--http2", "2")]
    public async Task Curl_WholeAndRangedOverEachVersion_ByteExact(string versionOption, string expectedVersion)
    {
        var whole = _downloads.Combine("whole.bin");
        var ranged = _downloads.Combine("ranged.bin");

        var (wholeExit, wholeLog) = await ExternalTool.RunAsync("curl",
            ["-sS", "-f", "-k", versionOption, "-o", whole, "-w", "%{http_version} %{http_code}", Url], ToolTimeout);
        var (rangedExit, rangedLog) = await ExternalTool.RunAsync("curl",
            ["-sS", "-f", "-k", versionOption, "-r", "1000-1999999", "-o", ranged, "-w", "%{http_version} %{http_code}", Url], ToolTimeout);

        Assert.True(wholeExit == 0, wholeLog);
        Assert.Equal($"{expectedVersion} 200", wholeLog.Trim());
        Assert.Equal(SHA256.HashData(_source), SHA256.HashData(await File.ReadAllBytesAsync(whole)));
        Assert.True(rangedExit == 0, rangedLog);
        Assert.Equal($"{expectedVersion} 206", rangedLog.Trim());
        Assert.Equal(_source.AsSpan(1000, 1999000).ToArray(), await File.ReadAllBytesAsync(ranged));
    }

    [Fact]
    public async Task Http2_MultipleRanges_MultipartByteExact()
    {
        using var request = Http2Request(HttpMethod.Get);
        request.Headers.Range = new RangeHeaderValue();
        request.Headers.Range.Ranges.Add(new RangeItemHeaderValue(0, 99));
        request.Headers.Range.Ranges.Add(new RangeItemHeaderValue(2_000_000, 2_000_499));

        using var response = await _http2.SendAsync(request);
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var parts = await MultipartReader.ReadPartsAsync(await response.Content.ReadAsByteArrayAsync(), boundary);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType.MediaType);
        Assert.Equal(2, parts.Count);
        Assert.Equal(_source.AsSpan(0, 100).ToArray(), parts[0].Body);
        Assert.Equal(_source.AsSpan(2_000_000, 500).ToArray(), parts[1].Body);
    }

    [Fact]
    public async Task Http2_RangePastTheEnd_Returns416WithContentRange()
    {
        using var request = Http2Request(HttpMethod.Get);
        request.Headers.Range = new RangeHeaderValue(FileLength + 10, null);

        using var response = await _http2.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{FileLength.ToString(CultureInfo.InvariantCulture)}", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Http2_IfNoneMatchCurrentETag_Returns304()
    {
        using var head = await _http2.SendAsync(Http2Request(HttpMethod.Head));
        using var request = Http2Request(HttpMethod.Get);
        request.Headers.IfNoneMatch.Add(head.Headers.ETag!);

        using var response = await _http2.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Http2_ClientResetsStreamMidBody_RequestEndsAndConnectionServesTheNext()
    {
        var requests = _server.Services.GetRequiredService<LargeFileGateway.Hosting.InFlightRequests>();
        using (var abandoned = await _http2.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var partial = await abandoned.Content.ReadAsStreamAsync();
            await partial.ReadExactlyAsync(new byte[64 * 1024]);
        }

        // Disposing the unfinished response resets its stream (RST_STREAM), not the connection.
        var ended = await Eventually.TrueAsync(() => requests.Count == 0, TimeSpan.FromSeconds(10));
        using var next = await _http2.GetAsync(Url);

        Assert.True(ended, "the reset download is still running on the server");
        Assert.Equal(HttpVersion.Version20, next.Version);
        Assert.Equal(SHA256.HashData(_source), SHA256.HashData(await next.Content.ReadAsByteArrayAsync()));
    }

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task Handshake_TlsOlderThan12_Refused(string protocolOption)
    {
        // SECLEVEL=0 lets the client offer the old protocol, so that the refusal is the server's.
        var (exitCode, output) = await ExternalTool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_server.Port}", protocolOption, "-cipher", "DEFAULT:@SECLEVEL=0", "-brief"], ToolTimeout);
        var (modernExit, modernOutput) = await ExternalTool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_server.Port}", "-tls1_2", "-brief"], ToolTimeout);

        Assert.True(exitCode != 0, output);
        Assert.True(modernExit == 0, modernOutput);
        Assert.Contains("TLSv1.2", modernOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_FileReplaced_NewHandshakesGetItWithoutRestart()
    {
        var before = await SelfSignedPem.ServedThumbprintAsync(_server.Port);
        using var running = await _http2.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await running.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[64 * 1024]);

        // Written beside and renamed over, as a renewal tool writes a file it replaces.
        var renewed = SelfSignedPem.Write(_tls.Combine("new", "cert.pem"), _tls.Combine("new", "key.pem"), "gateway-renewed");
        File.Move(_tls.Combine("new", "key.pem"), KeyPath, overwrite: true);
        File.Move(_tls.Combine("new", "cert.pem"), CertificatePath, overwrite: true);
        var served = await WaitForServedThumbprintAsync(renewed);
        var rest = await TestFiles.Sha256Async(body);

        Assert.Equal(_firstThumbprint, before);
        Assert.Equal(renewed, served);
        Assert.Equal(FileLength - 64 * 1024, rest.Length);
    }

    [Fact]
    public async Task Certificate_CertbotSymlinksSwapped_NewHandshakesGetIt()
    {
        // certbot's layout: live/NAME.pem are symlinks into archive/, replaced by new symlinks on renewal.
        await _server.DisposeAsync();
        var archive1 = SelfSignedPem.Write(_tls.Combine("archive", "cert1.pem"), _tls.Combine("archive", "privkey1.pem"));
        var archive2 = SelfSignedPem.Write(_tls.Combine("archive", "cert2.pem"), _tls.Combine("archive", "privkey2.pem"), "gateway-renewed");
        var live = _tls.Combine("certbot-live");
        Directory.CreateDirectory(live);
        File.CreateSymbolicLink(Path.Combine(live, "fullchain.pem"), "../archive/cert1.pem");
        File.CreateSymbolicLink(Path.Combine(live, "privkey.pem"), "../archive/privkey1.pem");
        _server = await GatewayServer.StartAsync(_root.Path,
            "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            $"--Kestrel:Endpoints:Https:Certificate:Path={Path.Combine(live, "fullchain.pem")}",
            $"--Kestrel:Endpoints:Https:Certificate:KeyPath={Path.Combine(live, "privkey.pem")}");
        var before = await SelfSignedPem.ServedThumbprintAsync(_server.Port);

        foreach (var (name, target) in new[] { ("fullchain.pem", "../archive/cert2.pem"), ("privkey.pem", "../archive/privkey2.pem") })
        {
            var temporary = Path.Combine(live, name + ".new");
            File.CreateSymbolicLink(temporary, target);
            File.Move(temporary, Path.Combine(live, name), overwrite: true);
        }

        var served = await WaitForServedThumbprintAsync(archive2);

        Assert.Equal(archive1, before);
        Assert.Equal(archive2, served);
    }

    // HttpClient's default version applies to its shortcut methods only, not to a request made by hand.
    private HttpRequestMessage Http2Request(HttpMethod method)
        => new(method, Url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    private async Task<string> WaitForServedThumbprintAsync(string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var served = await SelfSignedPem.ServedThumbprintAsync(_server.Port);
        while (served != expected && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            served = await SelfSignedPem.ServedThumbprintAsync(_server.Port);
        }

        return served;
    }
}
