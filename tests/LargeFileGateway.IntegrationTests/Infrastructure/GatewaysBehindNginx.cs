namespace LargeFileGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The deployment of nginx/README.md on loopback: real gateway instances (in-process, each on its own port)
/// serving one storage root, behind a real nginx with the repository's config.
/// </summary>
public sealed class GatewaysBehindNginx : IAsyncDisposable
{
    private readonly List<GatewayServer> _running;

    private GatewaysBehindNginx(List<GatewayServer> instances, NginxServer nginx)
    {
        Instances = instances;
        _running = [.. instances];
        Nginx = nginx;
    }

    public IReadOnlyList<GatewayServer> Instances { get; }

    public NginxServer Nginx { get; }

    /// <summary>
    /// Starts <paramref name="instances"/> gateways (in offload mode when <paramref name="offload"/>, each given
    /// <paramref name="beforeStart"/> and <paramref name="extraArgs"/>) and nginx in front of them.
    /// </summary>
    public static async Task<GatewaysBehindNginx> StartAsync(string root, int instances, bool offload, Action<WebApplication>? beforeStart = null, params string[] extraArgs)
    {
        // The documented short form of Gateway:Offload:Mode (issue 5), so that it stays tested.
        string[] args = offload ? ["--Gateway:Offload=NginxAccelRedirect", .. extraArgs] : extraArgs;
        var started = new List<GatewayServer>();
        try
        {
            for (var i = 0; i < instances; i++)
            {
                started.Add(await GatewayServer.StartAsync(root, beforeStart, args));
            }

            var nginx = await NginxServer.StartAsync(root, started.Select(s => s.Port));
            return new GatewaysBehindNginx(started, nginx);
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Stops one instance, as an operator or a crash would; nginx is not told.</summary>
    public async Task StopInstanceAsync(GatewayServer instance)
    {
        if (_running.Remove(instance))
        {
            await instance.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        foreach (var instance in _running)
        {
            await instance.DisposeAsync();
        }

        _running.Clear();
    }
}
