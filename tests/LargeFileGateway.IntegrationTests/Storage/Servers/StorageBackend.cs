using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>Which provider a parametrized storage suite runs over.</summary>
public enum BackendKind
{
    Local,
    S3,
    HttpOrigin,
}

/// <summary>
/// One provider's real backend as a test sees it: put objects in, and the gateway arguments that serve them
/// (optionally through a <see cref="FaultProxy"/>). Each instance has its own bucket, folder or root.
/// </summary>
public sealed class StorageBackend : IAsyncDisposable
{
    private static readonly DateTime s_firstWrite = DateTime.UtcNow.Date.AddDays(-1);
    private static int s_writes;

    private readonly StorageServersFixture _servers;
    private readonly TempFolder _root;
    private readonly string _name = "t" + Guid.NewGuid().ToString("N")[..12];

    private StorageBackend(BackendKind kind, StorageServersFixture servers)
    {
        Kind = kind;
        _servers = servers;
        _root = new TempFolder("local-" + kind);
        Directory.CreateDirectory(_root.Combine("pub"));
    }

    public BackendKind Kind { get; }

    /// <summary>The port the gateway talks to when nothing sits in between (0 for the local folder).</summary>
    public int Port => Kind switch
    {
        BackendKind.S3 => _servers.S3.Port,
        BackendKind.HttpOrigin => _servers.Origin.Port,
        _ => 0,
    };

    /// <summary>Served objects live under "pub/" of the bucket or origin folder, so that "outside" objects exist beside them.</summary>
    private string Served => _name + "/pub";

    public static async Task<StorageBackend> CreateAsync(BackendKind kind, StorageServersFixture servers)
    {
        var backend = new StorageBackend(kind, servers);
        if (kind == BackendKind.S3)
        {
            await servers.S3.CreateBucketAsync(backend._name);
        }

        return backend;
    }

    /// <summary>Starts the gateway on this backend, through <paramref name="viaPort"/> when given (a fault proxy).</summary>
    public Task<GatewayServer> StartGatewayAsync(int? viaPort = null, params string[] extraArgs)
    {
        var port = viaPort ?? Port;
        string[] args = Kind switch
        {
            BackendKind.S3 => S3rverProcess.GatewayArgs(port, _name, "pub"),
            BackendKind.HttpOrigin => OriginServer.GatewayArgs(port, Served),
            _ => [],
        };
        return GatewayServer.StartAsync(LocalRoot, [.. args, .. extraArgs]);
    }

    /// <summary>Stores <paramref name="bytes"/> as the object the gateway serves at /files/<paramref name="key"/>.</summary>
    public Task PutAsync(string key, byte[] bytes) => PutRawAsync("pub/" + key, bytes);

    /// <summary>Stores an object next to (outside) the served root, prefix or folder.</summary>
    public Task PutOutsideAsync(string name, byte[] bytes) => PutRawAsync(name, bytes);

    public async ValueTask DisposeAsync()
    {
        _root.Dispose();
        await Task.CompletedTask;
    }

    private string LocalRoot => Kind == BackendKind.Local ? _root.Combine("pub") : _root.Path;

    private async Task PutRawAsync(string path, byte[] bytes)
    {
        switch (Kind)
        {
            case BackendKind.S3:
                await _servers.S3.PutAsync(_name, path, bytes);
                break;
            case BackendKind.HttpOrigin:
                // A distinct whole-second modification time per write, in the past: the origin's ETag is built from
                // length and mtime in seconds, so two writes within one second would otherwise share an ETag.
                _servers.Origin.Put(_name + "/" + path, bytes, s_firstWrite.AddSeconds(Interlocked.Increment(ref s_writes)));
                break;
            default:
                var file = _root.Combine(path.Split('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllBytesAsync(file, bytes);
                break;
        }
    }
}
