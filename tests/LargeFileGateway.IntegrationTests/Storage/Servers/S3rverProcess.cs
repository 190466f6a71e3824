using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.S3;
using LargeFileGateway.IntegrationTests.Infrastructure;

namespace LargeFileGateway.IntegrationTests.Storage.Servers;

/// <summary>
/// A real S3-compatible server: the npm package s3rver (pinned in tests/run.sh, installed into tests/.tools), run
/// with node on 127.0.0.1 on a port the OS picks. Fails loudly when node or s3rver is missing.
/// </summary>
public sealed partial class S3rverProcess : S3Server
{
    /// <summary>s3rver's built-in credentials.</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";

    private readonly Process _process;
    private readonly TempFolder _data;

    private S3rverProcess(Process process, TempFolder data, int port)
        : base(port, AccessKeyId, SecretAccessKey)
    {
        _process = process;
        _data = data;
    }

    /// <summary>s3rver has no versioning: an overwrite replaces the bytes, and a pinned read of the old ones fails.</summary>
    public override bool KeepsVersions => false;

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
        // s3rver makes the NextContinuationToken of every truncated ListObjectsV2 answer with DES, which OpenSSL 3 (Node
        // 17 and later) keeps only in its legacy provider: without it a paged listing is a 500.
        foreach (var argument in new[] { "--openssl-legacy-provider", script, "--directory", data.Path, "--address", "127.0.0.1", "--port", "0", "--silent" })
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

    public static AmazonS3Client CreateClient(string serviceUrl) => CreateClient(serviceUrl, AccessKeyId, SecretAccessKey);

    /// <summary>Gateway arguments that serve <paramref name="bucket"/> (under <paramref name="prefix"/>) through <paramref name="port"/>.</summary>
    public static string[] GatewayArgs(int port, string bucket, string prefix = "") => GatewayArgs(port, bucket, prefix, AccessKeyId, SecretAccessKey);

    protected override async ValueTask StopAsync()
    {
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
