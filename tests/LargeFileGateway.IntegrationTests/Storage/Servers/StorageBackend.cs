using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>Which provider a parametrized storage suite runs over.</summary>
public enum BackendKind
{
    Local,

    /// <summary>S3 on s3rver: fast, no versioning, If-Match ignored (the provider's own answer checks catch changes).</summary>
    S3,
    HttpOrigin,

    /// <summary>S3 on Ceph RGW with a versioned bucket: If-Match and version ids honoured.</summary>
    S3OnRgw,
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

    private StorageBackend(BackendKind kind, StorageServersFixture servers, S3Server? s3)
    {
        Kind = kind;
        _servers = servers;
        S3 = s3;
        _root = new TempFolder("local-" + kind);
        Directory.CreateDirectory(_root.Combine("pub"));
    }

    public BackendKind Kind { get; }

    /// <summary>The S3 server of the S3 kinds (null for the others).</summary>
    public S3Server? S3 { get; }

    /// <summary>The bucket (S3 kinds) or origin folder of this backend.</summary>
    public string Bucket => _name;

    /// <summary>True when an overwrite keeps the old version readable, so a pinned read in flight still gets it.</summary>
    public bool KeepsVersions => S3?.KeepsVersions ?? false;

    /// <summary>The port the gateway talks to when nothing sits in between (0 for the local folder).</summary>
    public int Port => Kind switch
    {
        BackendKind.S3 or BackendKind.S3OnRgw => S3!.Port,
        BackendKind.HttpOrigin => _servers.Origin.Port,
        _ => 0,
    };

    /// <summary>Served objects live under "pub/" of the bucket or origin folder, so that "outside" objects exist beside them.</summary>
    private string Served => _name + "/pub";

    public static async Task<StorageBackend> CreateAsync(BackendKind kind, StorageServersFixture servers)
    {
        S3Server? s3 = kind switch
        {
            BackendKind.S3 => servers.S3,
            BackendKind.S3OnRgw => await servers.GetRgwAsync(),
            _ => null,
        };
        var backend = new StorageBackend(kind, servers, s3);
        if (s3 is not null)
        {
            await s3.CreateBucketAsync(backend._name);
        }

        return backend;
    }

    /// <summary>Starts the gateway on this backend, through <paramref name="viaPort"/> when given (a fault proxy).</summary>
    public Task<GatewayServer> StartGatewayAsync(int? viaPort = null, params string[] extraArgs)
        => GatewayServer.StartAsync(LocalRoot, [.. ServingArgs(viaPort), .. extraArgs]);

    /// <summary>The same on a clock of the test's own (the gateway's TimeProvider: backoff, attempt timeouts, the breaker).</summary>
    public Task<GatewayServer> StartGatewayOnClockAsync(TimeProvider time, int? viaPort, Action<WebApplication>? beforeStart, params string[] extraArgs)
        => GatewayServer.StartWithServicesAsync(LocalRoot, services => services.AddSingleton(time), beforeStart, [.. ServingArgs(viaPort), .. extraArgs]);

    /// <summary>
    /// Starts the gateway on this S3 backend with other credentials than the bucket owner's (another user, or wrong
    /// keys), letting <paramref name="beforeStart"/> see the built app (to capture its logs, say).
    /// </summary>
    public Task<GatewayServer> StartGatewayAsAsync(string accessKeyId, string secretAccessKey, Action<WebApplication>? beforeStart, params string[] extraArgs)
    {
        var s3 = S3 ?? throw new InvalidOperationException($"{Kind} has no S3 credentials.");
        return GatewayServer.StartAsync(LocalRoot, beforeStart, [.. S3Server.GatewayArgs(s3.Port, _name, "pub", accessKeyId, secretAccessKey), .. extraArgs]);
    }

    /// <summary>Stores <paramref name="bytes"/> as the object the gateway serves at /files/<paramref name="key"/>.</summary>
    public Task PutAsync(string key, byte[] bytes) => PutRawAsync("pub/" + key, bytes);

    /// <summary>
    /// Replaces the object at /files/<paramref name="key"/> so that its earlier bytes are gone for good (on a versioned
    /// bucket every old version is deleted; <see cref="PutAsync"/> there keeps them).
    /// </summary>
    public Task ReplaceAsync(string key, byte[] bytes) => S3 is { } s3 ? s3.ReplaceAsync(_name, "pub/" + key, bytes) : PutAsync(key, bytes);

    /// <summary>Stores an object next to (outside) the served root, prefix or folder.</summary>
    public Task PutOutsideAsync(string name, byte[] bytes) => PutRawAsync(name, bytes);

    public async ValueTask DisposeAsync()
    {
        _root.Dispose();
        await Task.CompletedTask;
    }

    private string[] ServingArgs(int? viaPort)
    {
        var port = viaPort ?? Port;
        return Kind switch
        {
            BackendKind.S3 or BackendKind.S3OnRgw => S3!.ServingArgs(port, _name, "pub"),
            BackendKind.HttpOrigin => OriginServer.GatewayArgs(port, Served),
            _ => [],
        };
    }

    private string LocalRoot => Kind == BackendKind.Local ? _root.Combine("pub") : _root.Path;

    private async Task PutRawAsync(string path, byte[] bytes)
    {
        switch (Kind)
        {
            case BackendKind.S3 or BackendKind.S3OnRgw:
                await S3!.PutAsync(_name, path, bytes);
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
