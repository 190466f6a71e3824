using System.Net;
using LargeFileGateway.IntegrationTests.Infrastructure;
using LargeFileGateway.IntegrationTests.Storage.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace LargeFileGateway.IntegrationTests.Operations;

/// <summary>/readyz follows the remote backend: not ready while it is down, ready again when it returns.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class StorageReadinessTests(StorageServersFixture servers)
{
    private static readonly string[] s_probeEveryTime = ["--Gateway:Health:ProbeCacheDuration=00:00:00", "--Gateway:Health:ProbeTimeout=00:00:02"];

    [Fact]
    public async Task Readyz_S3StopsAndReturns_NotReadyThenReadyAgain()
    {
        await using var backend = await StorageBackend.CreateAsync(BackendKind.S3, servers);
        await using var proxy = FaultProxy.Start(backend.Port);
        await using var gateway = await backend.StartGatewayAsync(proxy.Port, s_probeEveryTime);
        var before = await ReadinessAsync(gateway, HttpStatusCode.OK);

        // The proxy stops listening and resets its connections: to the gateway, the S3 server is gone.
        proxy.Refuse();
        var down = await ReadinessAsync(gateway, HttpStatusCode.ServiceUnavailable);
        proxy.Accept();
        var back = await ReadinessAsync(gateway, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Equal(HttpStatusCode.OK, back);
    }

    [Fact]
    public async Task Readyz_S3BucketMissing_NotReady()
    {
        await using var gateway = await GatewayServer.StartAsync(new TempFolder("ready-nobucket").Path,
            [.. servers.S3.ServingArgs(servers.S3.Port, "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8], "pub"), .. s_probeEveryTime]);

        using var response = await gateway.Client.GetAsync("readyz?details");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("404", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_HttpOriginStopsAndReturns_NotReadyThenReadyAgain()
    {
        await using var origin = await StoppableOrigin.StartAsync(port: 0);
        var port = origin.Port;
        using var root = new TempFolder("ready-origin");
        await using var gateway = await GatewayServer.StartAsync(root.Path, [.. OriginServer.GatewayArgs(port, "pub"), .. s_probeEveryTime]);
        var before = await ReadinessAsync(gateway, HttpStatusCode.OK);

        await origin.StopAsync();
        var down = await ReadinessAsync(gateway, HttpStatusCode.ServiceUnavailable);
        await using var restarted = await StoppableOrigin.StartAsync(port);
        var back = await ReadinessAsync(gateway, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Equal(HttpStatusCode.OK, back);
    }

    [Fact]
    public async Task Readyz_HttpOriginAnswers500_NotReady()
    {
        await using var origin = await StoppableOrigin.StartAsync(port: 0, status: 500);
        using var root = new TempFolder("ready-origin500");
        await using var gateway = await GatewayServer.StartAsync(root.Path, [.. OriginServer.GatewayArgs(origin.Port, "pub"), .. s_probeEveryTime]);

        using var response = await gateway.Client.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_FloodOfProbes_AsksTheOriginOncePerCachePeriod()
    {
        await using var origin = await StoppableOrigin.StartAsync(port: 0);
        using var root = new TempFolder("ready-flood");
        await using var gateway = await GatewayServer.StartAsync(root.Path, [.. OriginServer.GatewayArgs(origin.Port, "pub"), "--Gateway:Health:ProbeCacheDuration=00:01:00"]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await gateway.Client.GetAsync("readyz");
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, origin.Requests);
    }

    /// <summary>Polls /readyz until it answers <paramref name="wanted"/> (bounded: 200 polls, 50 ms apart); returns the last answer.</summary>
    private static async Task<HttpStatusCode> ReadinessAsync(GatewayServer gateway, HttpStatusCode wanted)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var last = default(HttpStatusCode);
        for (var i = 0; i < 200; i++)
        {
            using var response = await gateway.Client.GetAsync("readyz");
            last = response.StatusCode;
            if (last == wanted)
            {
                break;
            }

            await timer.WaitForNextTickAsync();
        }

        return last;
    }

    /// <summary>A minimal HTTP origin on a port of its own that a test stops and starts again on the same port.</summary>
    private sealed class StoppableOrigin : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;
        private bool _stopped;

        private StoppableOrigin(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<StoppableOrigin> StartAsync(int port, int status = 200)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            StoppableOrigin? origin = null;
            app.Run(context =>
            {
                Interlocked.Increment(ref origin!._requests);
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            var address = app.Urls.Single();
            origin = new StoppableOrigin(app, new Uri(address).Port);
            return origin;
        }

        public async Task StopAsync()
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stopped)
            {
                await StopAsync();
            }

            await _app.DisposeAsync();
        }
    }
}
