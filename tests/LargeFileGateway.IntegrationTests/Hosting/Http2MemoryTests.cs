using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace LargeFileGateway.IntegrationTests.Hosting;

/// <summary>
/// Issue 13: a 1 GiB download over HTTP/2 (TLS, ALPN) from the gateway run as its own process, with a pause in the
/// middle: HTTP/2 flow control and Kestrel's response buffer (Kestrel:Limits:MaxResponseBufferSize, which bounds an
/// HTTP/2 stream's output as it does an HTTP/1.1 connection's) keep its resident set flat, as over HTTP/1.1.
/// </summary>
public sealed class Http2MemoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long FileLength = 1L * 1024 * 1024 * 1024;
    private const long SampleEveryBytes = 32L * 1024 * 1024;
    private const long WarmUpBytes = 128L * 1024 * 1024;
    private const long StallAtBytes = 384L * 1024 * 1024;

    /// <summary>The allowance of MemoryThroughNginxTests: about two chunks per download, the rest GC and runtime noise.</summary>
    private const long AllowedGrowthBytes = 48L * 1024 * 1024;

    private readonly TempFolder _root = new("http2-memory");
    private readonly TempFolder _tls = new("http2-memory-tls");
    private GatewayProcess _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        TestFiles.WriteSparse(_root.Combine("disk.img"), FileLength, [(0, 4096), (FileLength - 4096, 4096)]);
        SelfSignedPem.Write(_tls.Combine("cert.pem"), _tls.Combine("key.pem"));
        _gateway = await GatewayProcess.StartAsync(_root.Path,
            "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            $"--Kestrel:Endpoints:Https:Certificate:Path={_tls.Combine("cert.pem")}",
            $"--Kestrel:Endpoints:Https:Certificate:KeyPath={_tls.Combine("key.pem")}");
        _client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => SelfSignedPem.IsTestCertificate(certificate) } })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{_gateway.Port}/"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromMinutes(3),
        };
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _gateway.Dispose();
        _root.Dispose();
        _tls.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Download1GiB_OverHttp2WithStalledReader_GatewayRssStaysFlat()
    {
        long? baselineRss = null;
        long peakRss = 0;
        long total = 0;

        using var response = await _client.GetAsync("files/disk.img", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024 * 1024];
        var nextSample = SampleEveryBytes;
        var stalled = false;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
            if (total < nextSample)
            {
                continue;
            }

            nextSample += SampleEveryBytes;
            var rss = _gateway.ResidentSetBytes ?? throw new InvalidOperationException("the gateway process is gone");
            baselineRss ??= total >= WarmUpBytes ? rss : null;
            peakRss = Math.Max(peakRss, rss);
            if (!stalled && total >= StallAtBytes)
            {
                // A reader that stops for a while: the stream's window fills and the gateway must wait, not buffer.
                stalled = true;
                await Task.Delay(TimeSpan.FromSeconds(1));
                peakRss = Math.Max(peakRss, _gateway.ResidentSetBytes ?? 0);
            }
        }

        output.WriteLine($"gateway RSS after {WarmUpBytes >> 20} MiB: {baselineRss >> 20} MiB, peak: {peakRss >> 20} MiB");
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileLength, total);
        Assert.NotNull(baselineRss);
        Assert.True(peakRss - baselineRss.Value < AllowedGrowthBytes,
            $"gateway RSS grew from {baselineRss / (1024 * 1024)} MiB to {peakRss / (1024 * 1024)} MiB during a 1 GiB HTTP/2 download");
    }
}
