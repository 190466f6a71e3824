using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A real S3 engine: a single-node Ceph RADOS Gateway (Ceph 16.2, one monitor, one memstore OSD, loopback only),
/// started by the shared <c>ceph-rgw.sh</c> that sits beside the repository (<c>../shared/tools/</c> from its
/// root). Unlike s3rver it honours If-Match and keeps versions, so version pinning really runs. Every bucket it
/// makes is versioned. Fails loudly when the script or the Ceph packages (installed by tests/run.sh) are missing.
/// </summary>
/// <remarks>
/// Known gaps of RGW 16 against AWS S3, none of which the gateway relies on: CompleteMultipartUpload answers with an
/// empty &lt;ETag&gt; (Ceph tracker 58879; HEAD afterwards has the right composite ETag), and flexible checksums
/// (x-amz-checksum-*) are neither returned nor verified.
/// </remarks>
public sealed partial class RgwProcess : S3Server
{
    private const string ScriptFromRoot = "../shared/tools/ceph-rgw.sh";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _script;
    private readonly TempFolder _cluster;

    private RgwProcess(string script, TempFolder cluster, int port, string accessKeyId, string secretAccessKey)
        : base(port, accessKeyId, secretAccessKey)
    {
        _script = script;
        _cluster = cluster;
    }

    public override bool KeepsVersions => true;

    public static async Task<RgwProcess> StartAsync()
    {
        var script = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, ScriptFromRoot));
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{ScriptFromRoot} (from the repository root) is missing: the S3 suites on Ceph RGW need the shared tools beside the clone.");
        }

        var cluster = new TempFolder("rgw");
        var (exitCode, output) = await ExternalTool.RunAsync("bash", [script, "start", cluster.Path, FreePort().ToString(CultureInfo.InvariantCulture)], StartTimeout);
        var exports = ExportLine().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        if (exitCode != 0 || !exports.TryGetValue("S3_ENDPOINT", out var endpoint) || !exports.TryGetValue("S3_ACCESS_KEY", out var accessKey) || !exports.TryGetValue("S3_SECRET_KEY", out var secretKey))
        {
            await ExternalTool.RunAsync("bash", [script, "stop", cluster.Path], TimeSpan.FromMinutes(1));
            cluster.Dispose();
            throw new InvalidOperationException($"ceph-rgw.sh start failed (exit {exitCode}); tests/run.sh installs the Ceph packages. Output:\n{output}");
        }

        return new RgwProcess(script, cluster, new Uri(endpoint).Port, accessKey, secretKey);
    }

    /// <summary>Makes the bucket with versioning on: an overwrite keeps the old version readable by its id.</summary>
    public override async Task CreateBucketAsync(string bucket)
    {
        await base.CreateBucketAsync(bucket);
        await Client.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
    }

    /// <summary>Adds an S3 user (its own keys, no buckets) with radosgw-admin.</summary>
    public async Task<(string AccessKeyId, string SecretAccessKey)> CreateUserAsync(string uid)
    {
        var accessKey = ("K" + Guid.NewGuid().ToString("N"))[..20].ToUpperInvariant();
        var secretKey = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")[..8];
        var (exitCode, output) = await ExternalTool.RunAsync("radosgw-admin",
            ["-c", _cluster.Combine("ceph.conf"), "user", "create", "--uid=" + uid, "--display-name=" + uid, "--access-key=" + accessKey, "--secret-key=" + secretKey],
            TimeSpan.FromMinutes(1));
        return exitCode == 0 ? (accessKey, secretKey) : throw new InvalidOperationException("radosgw-admin user create failed: " + output);
    }

    protected override async ValueTask StopAsync()
    {
        await ExternalTool.RunAsync("bash", [_script, "stop", _cluster.Path], TimeSpan.FromMinutes(1));
        _cluster.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^export (S3_[A-Z_]+)=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex ExportLine();
}
