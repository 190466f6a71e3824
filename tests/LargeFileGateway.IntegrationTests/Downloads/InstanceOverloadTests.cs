using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.Storage;

namespace LargeFileGateway.IntegrationTests.Downloads;

/// <summary>
/// An instance that ran out of a local resource (file descriptors, I/O workers) is not a storage outage: a direct
/// client gets 503 "instance overloaded" with Retry-After, and a request from a trusted proxy gets its connection
/// closed before any byte, which nginx retries on another instance (proxy_next_upstream error) instead of passing a
/// 503 through as if storage were down.
/// </summary>
public sealed class InstanceOverloadTests : IAsyncLifetime
{
    private readonly TempFolder _root = new("overloaded");
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartWithServicesAsync(_root.Path,
            services => services.AddSingleton<IStorageProvider>(new OverloadedProvider()),
            beforeStart: null,
            "--Gateway:ForwardedHeaders:TrustedProxies:0=127.0.0.1");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Get_DirectClient_Gets503InstanceOverloadedWithRetryAfter()
    {
        using var response = await _server.Client.GetAsync("files/any.bin");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("overloaded", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ThroughTrustedProxy_ConnectionClosedBeforeAnyByte()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /files/any.bin HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n"));
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    private sealed class OverloadedProvider : IStorageProvider
    {
        public ValueTask<FileMetadata?> GetMetadataAsync(string key, CancellationToken cancellationToken)
            => throw new StorageUnavailableException("Out of file descriptors.") { IsInstanceOverloaded = true };

        public ValueTask<Stream> OpenReadAsync(FileMetadata file, long offset, long length, CancellationToken cancellationToken)
            => throw new StorageUnavailableException("Out of file descriptors.") { IsInstanceOverloaded = true };
    }
}
