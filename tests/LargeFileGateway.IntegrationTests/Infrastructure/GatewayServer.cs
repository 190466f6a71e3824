using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The real gateway on real Kestrel, bound to 127.0.0.1 on an ephemeral port, serving a folder of the test's own.
/// </summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the gateway on <paramref name="root"/>; extra arguments are configuration (--Key=Value).</summary>
    public static Task<GatewayServer> StartAsync(string root, params string[] extraArgs) => StartAsync(root, null, extraArgs);

    /// <summary>
    /// Starts the gateway on <paramref name="root"/> after <paramref name="beforeStart"/> has had the built app, so
    /// that a test can map an endpoint of its own next to the gateway's.
    /// </summary>
    public static async Task<GatewayServer> StartAsync(string root, Action<WebApplication>? beforeStart, params string[] extraArgs)
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--root", root,
            "--environment", "Testing",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = Program.CreateApp(args);
        beforeStart?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new GatewayServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
