using LargeFileGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// The socket write buffer Kestrel is started with: small on plain HTTP (what a slow download holds), Kestrel's own
/// with a TLS endpoint (SslStream's records need it to be sent at speed), and what is set when it is set.
/// </summary>
public sealed class ResponseWriteBufferTests : IDisposable
{
    private static readonly long KestrelDefault = new SocketTransportOptions().MaxWriteBufferSize!.Value;

    private readonly TempFolder _root = new("write-buffer-root");
    private readonly TempFolder _tls = new("write-buffer-tls");

    public void Dispose()
    {
        _root.Dispose();
        _tls.Dispose();
    }

    [Fact]
    public async Task PlainHttp_Unset_IsEightKibibytes()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path);

        Assert.Equal(8L * 1024, WriteBufferOf(server));
        await AssertServesAsync(server.Client, server.BaseAddress);
    }

    [Fact]
    public async Task TlsEndpoint_Unset_IsKestrelsDefault()
    {
        await using var server = await StartWithTlsAsync();

        Assert.Equal(64L * 1024, KestrelDefault);
        Assert.Equal(KestrelDefault, WriteBufferOf(server));
    }

    [Fact]
    public async Task TlsEndpoint_Set_IsWhatIsSet()
    {
        await using var server = await StartWithTlsAsync("--Gateway:Download:ResponseWriteBufferBytes=16384");

        Assert.Equal(16L * 1024, WriteBufferOf(server));
    }

    [Fact]
    public async Task PlainHttp_Set_IsWhatIsSet()
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, "--Gateway:Download:ResponseWriteBufferBytes=131072");

        Assert.Equal(128L * 1024, WriteBufferOf(server));
        await AssertServesAsync(server.Client, server.BaseAddress);
    }

    [Theory]
    [InlineData(" 16384")]
    [InlineData("+16384")]
    public async Task PlainHttp_SetInAFormTheBinderTakes_IsWhatIsSet(string value)
    {
        await using var server = await GatewayServer.StartAsync(_root.Path, $"--Gateway:Download:ResponseWriteBufferBytes={value}");

        Assert.Equal(16L * 1024, WriteBufferOf(server));
    }

    private static long? WriteBufferOf(GatewayServer server)
        => server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.MaxWriteBufferSize;

    private async Task<GatewayServer> StartWithTlsAsync(params string[] extraArgs)
    {
        var certificate = _tls.Combine("cert.pem");
        var key = _tls.Combine("key.pem");
        SelfSignedPem.Write(certificate, key);
        return await GatewayServer.StartAsync(_root.Path, [
            "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            $"--Kestrel:Endpoints:Https:Certificate:Path={certificate}",
            $"--Kestrel:Endpoints:Https:Certificate:KeyPath={key}",
            .. extraArgs]);
    }

    private async Task AssertServesAsync(HttpClient client, Uri baseAddress)
    {
        // A file larger than the buffer, whole and in a range: the setting changes memory, never bytes.
        var content = TestFiles.WriteRandom(_root.Combine("data.bin"), 3 * 1024 * 1024 + 17, seed: 5);
        var whole = await client.GetByteArrayAsync(new Uri(baseAddress, "/files/data.bin"));
        Assert.Equal(content, whole);
    }
}
