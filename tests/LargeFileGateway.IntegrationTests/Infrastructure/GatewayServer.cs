using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;

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
            // Stopping a test's server does not wait for load balancers that are not there; a test of the drain
            // sets its own delay (a later argument wins).
            "--Gateway:Shutdown:AcceptDelay=00:00:00",
            .. extraArgs,
        ];
        var app = Program.CreateApp(args);
        beforeStart?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new GatewayServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>
    /// Starts the gateway on <paramref name="root"/> with <paramref name="configureServices"/> applied after the
    /// gateway's own registrations (the last registration wins), so that a test can replace a service the gateway
    /// takes from DI: its <see cref="TimeProvider"/>, say, with a clock the test moves.
    /// </summary>
    public static async Task<GatewayServer> StartWithServicesAsync(string root, Action<IServiceCollection> configureServices, Action<WebApplication>? beforeStart, params string[] extraArgs)
    {
        using var hook = ServicesHook.Install(configureServices);
        return await StartAsync(root, beforeStart, extraArgs);
    }

    /// <summary>
    /// Closes the descriptors the local provider keeps open between requests (its open-file cache): a descriptor that
    /// stays open after this is held by a request, or leaked by one.
    /// </summary>
    public void CloseCachedFiles()
        => (Services.GetRequiredService<LargeFileGateway.Storage.IStorageProvider>() as LargeFileGateway.Storage.Local.LocalFileStorageProvider)?.OpenFiles?.Clear();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    /// <summary>
    /// Program.CreateApp builds the host itself; the hosting layer announces each build on its DiagnosticListener
    /// ("HostBuilding", the hook WebApplicationFactory uses) while the services can still be changed. The action is
    /// held in an AsyncLocal, so only the build on this test's own call path sees it, not a parallel test's.
    /// </summary>
    private sealed class ServicesHook : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private static readonly AsyncLocal<Action<IServiceCollection>?> s_current = new();
        private static readonly Lazy<IDisposable> s_subscription = new(() => DiagnosticListener.AllListeners.Subscribe(new ServicesHook()));

        public static ServicesHook Install(Action<IServiceCollection> configureServices)
        {
            _ = s_subscription.Value;
            s_current.Value = configureServices;
            return new ServicesHook();
        }

        public void Dispose() => s_current.Value = null;

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.Extensions.Hosting")
            {
                listener.Subscribe(this);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == "HostBuilding" && value.Value is IHostBuilder builder && s_current.Value is { } configure)
            {
                builder.ConfigureServices((_, services) => configure(services));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
