using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A real S3-compatible server: the npm package s3rver (pinned in tests/run.sh, installed into tests/.tools), run
/// with node on 127.0.0.1 on a port the OS picks. Fails loudly when node or s3rver is missing.
/// </summary>
public sealed partial class S3rverProcess : IAsyncDisposable
{
    /// <summary>s3rver's built-in credentials.</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";

    private readonly Process _process;
    private readonly TempFolder _data;

    private S3rverProcess(Process process, TempFolder data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
        Client = CreateClient($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    /// <summary>A client straight to the server (not through any proxy), for seeding and replacing objects.</summary>
    public AmazonS3Client Client { get; }

    public static async Task<S3rverProcess> StartAsync()
    {
        var script = FindScript();
        var data = new TempFolder("s3rver");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "--directory", data.Path, "--address", "127.0.0.1", "--port", "0", "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            data.Dispose();
            throw new InvalidOperationException("node is not installed: run tests/run.sh, which installs node and s3rver.", ex);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new S3rverProcess(process, data, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        var errors = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(no answer in 30 s)";
        process.Kill(entireProcessTree: true);
        process.Dispose();
        data.Dispose();
        throw new InvalidOperationException("s3rver did not start: " + errors);
    }

    public static AmazonS3Client CreateClient(string serviceUrl) => new(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), new AmazonS3Config
    {
        ServiceURL = serviceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",

        // No checksums beyond what S3 requires: s3rver 3.7 knows nothing of them (uploads also turn off aws-chunked, below).
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Gateway arguments that serve <paramref name="bucket"/> (under <paramref name="prefix"/>) through <paramref name="port"/>.</summary>
    public static string[] GatewayArgs(int port, string bucket, string prefix = "") =>
    [
        "--Gateway:Storage:Provider=S3",
        $"--Gateway:Storage:S3:ServiceUrl=http://127.0.0.1:{port}",
        "--Gateway:Storage:S3:Region=us-east-1",
        $"--Gateway:Storage:S3:Bucket={bucket}",
        $"--Gateway:Storage:S3:Prefix={prefix}",
        "--Gateway:Storage:S3:ForcePathStyle=true",
        $"--Gateway:Storage:S3:AccessKeyId={AccessKeyId}",
        $"--Gateway:Storage:S3:SecretAccessKey={SecretAccessKey}",
    ];

    public async Task CreateBucketAsync(string bucket) => await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    // UseChunkEncoding = false: s3rver stores aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) bodies with their
    // chunk signatures in them instead of decoding them.
    public async Task PutAsync(string bucket, string key, byte[] bytes)
    {
        using var content = new MemoryStream(bytes, writable: false);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = content, AutoCloseStream = false, UseChunkEncoding = false });
    }

    public async Task PutFileAsync(string bucket, string key, string path)
        => await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = path, UseChunkEncoding = false });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _data.Dispose();
    }

    private static string FindScript()
    {
        const string Relative = "tests/.tools/node_modules/s3rver/bin/s3rver.js";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, Relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"s3rver is not installed ({Relative} not found above {AppContext.BaseDirectory}): run tests/run.sh, which installs it.");
    }

    [GeneratedRegex(@"S3rver listening on [^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}
